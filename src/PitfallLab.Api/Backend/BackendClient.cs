using System.Net.Http.Json;
using System.Text.Json;

namespace PitfallLab.Api.Backend;

/// <summary>
/// Typed client for the downstream service. Each call exists twice: async (what a server should use)
/// and synchronous (what the bad variants use, to show what blocking a pool thread costs).
/// </summary>
public sealed class BackendClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task<BackendUser> GetUserAsync(int id, BackendCall call, CancellationToken ct)
    {
        using var response = await http.GetAsync($"users/{id}?{call.ToQuery()}", ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<BackendUser>(response, ct);
    }

    public BackendUser GetUser(int id, BackendCall call)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"users/{id}?{call.ToQuery()}");
        // Truly synchronous IO, as the lesson says: on a pooled connection, Send first waits for the connection's
        // async read-ahead, a sync-over-async wait that under starvation needs the starved pool itself and held each
        // blocked request until HttpClient.Timeout (30 s), long after its client had gone. A fresh connection is sync.
        request.Headers.ConnectionClose = true;
        using var response = http.Send(request);
        using var body = response.Content.ReadAsStream();
        if (!response.IsSuccessStatusCode)
            throw new BackendException(response.StatusCode, ReadAll(body));
        try { return JsonSerializer.Deserialize<BackendUser>(body, Json) ?? throw new JsonException("the body is null"); }
        catch (JsonException ex) { throw Malformed<BackendUser>(response, ex); }
    }

    public async Task<BackendStats> GetStatsAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("stats", ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<BackendStats>(response, ct);
    }

    public async Task<BackendStats> ResetStatsAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync("stats/reset", content: null, ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<BackendStats>(response, ct);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("health", ct);
        return response.IsSuccessStatusCode;
    }

    private static string ReadAll(Stream body)
    {
        using var reader = new StreamReader(body);
        return reader.ReadToEnd();
    }

    // A 2xx whose body is not what the backend promised is the backend's failure (a 502 for the lab), not the API's.
    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        try { return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new JsonException("the body is null"); }
        catch (Exception ex) when (ex is JsonException or NotSupportedException) { throw Malformed<T>(response, ex); }
    }

    private static BackendException Malformed<T>(HttpResponseMessage response, Exception ex) =>
        new(response.StatusCode, $"a body that is not a {typeof(T).Name} ({ex.Message})");

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new BackendException(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }
}

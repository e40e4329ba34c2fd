using System.Text;

namespace PitfallLab.Tests;

/// <summary>How MissingAwaitTests place orders, read them back and wait for the saves nobody awaited.</summary>
public sealed partial class MissingAwaitTests
{
    private const string Id = "missing-await";

    /// <summary>N orders placed, each read back the moment its 2xx arrived (read-your-write).</summary>
    private sealed record ReadYourWrite(int Acknowledged, int Readable, IReadOnlyList<string> Keys, double P50Ms, double MaxMs)
    {
        public override string ToString() =>
            $"{Acknowledged} acknowledged, {Readable} readable right after their 2xx; POST p50={P50Ms:F0}ms max={MaxMs:F0}ms";
    }

    private static string NewKey(string tag) => $"test/{tag}/{Guid.NewGuid():N}";

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string? Location, JsonElement Body)> PlaceAsync(
        HttpClient client, string variant, string key, int userId = 42, decimal amount = 9.99m, int delayMs = DelayMs)
    {
        var json = JsonSerializer.Serialize(new { userId, amount });
        using var response = await client.PostAsync(
            $"/pitfalls/{Id}/{variant}?delayMs={delayMs}&requestKey={Uri.EscapeDataString(key)}", JsonBody(json));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, response.Headers.Location?.ToString(), body);
    }

    private static async Task<ReadYourWrite> PlaceAndReadBackAsync(HttpClient client, string variant, int total = Orders, int concurrency = 4)
    {
        var keys = Enumerable.Range(0, total).Select(_ => NewKey(variant)).ToArray();
        var postMs = new double[total];
        int acknowledged = 0, readable = 0;
        await Load.RunAsync(concurrency, total, async i =>
        {
            var started = Stopwatch.GetTimestamp();
            var (status, location, _) = await PlaceAsync(client, variant, keys[i], userId: 1 + i);
            postMs[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (status != HttpStatusCode.Created || location is null) return status;
            Interlocked.Increment(ref acknowledged);
            using var read = await client.GetAsync(location);
            if (read.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref readable);
            return status;
        }).WaitAsync(NoHang);
        var sorted = postMs.Order().ToArray();
        return new ReadYourWrite(acknowledged, readable, keys, sorted[sorted.Length / 2], sorted[^1]);
    }

    private static Task<LoadResult> BurstAsync(HttpClient client, string variant, int delayMs, int total, int concurrency) =>
        Load.RunAsync(concurrency, total, async i =>
            (await PlaceAsync(client, variant, NewKey("burst"), userId: 1 + i, delayMs: delayMs)).Status);

    private static Task<JsonElement> TotalsAsync(HttpClient client, string variant) => LabStats.VariantAsync(client, Id, variant);

    /// <summary>The variant's totals once no save is running any more: every dropped save has ended, one way or the other.</summary>
    private static async Task<JsonElement> SettledTotalsAsync(HttpClient client, string variant)
    {
        await Eventually.HoldsAsync(async () => (await TotalsAsync(client, variant)).Figure("running") == 0,
            TimeSpan.FromSeconds(30), () => $"every {variant} save should have ended");
        return await TotalsAsync(client, variant);
    }

    private async Task<long> RowsWithKeysAsync(IReadOnlyCollection<string> keys)
    {
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        return await db.ExecuteScalarAsync<long>("SELECT count(*) FROM orders WHERE request_key = ANY(@keys)", new { keys = keys.ToArray() });
    }

    /// <summary>Server sessions of bad's pool that are running something or sitting inside a transaction, with their age.</summary>
    private async Task<IReadOnlyList<string>> BusyBadSessionsAsync()
    {
        const string sql = """
            SELECT state || ' for ' || round(extract(epoch FROM now() - state_change) * 1000) || ' ms: ' || left(query, 60)
            FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'pitfalllab/missing-await/bad' AND state <> 'idle'
            """;
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        return (await db.QueryAsync<string>(sql)).ToList();
    }
}

using System.Net.Http.Json;

namespace PitfallLab.Tests.Fixtures;

public static class Json
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, JsonContent.Create(new { }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static int ThreadPoolThreads(this JsonElement labStats) =>
        labStats.GetProperty("threadPool").GetProperty("threads").GetInt32();
}

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// The one reader of GET /lab/stats in the tests. A pitfall's figures come from the lab's meter:
/// <c>pitfalls.{id}.{variant}.{key}</c>, and pitfall-wide ones at <c>pitfalls.{id}.{key}</c>; a figure nothing
/// has recorded since the last reset is absent, and reads as 0 here.
/// </summary>
public static class LabStats
{
    public static Task<JsonElement> ReadAsync(HttpClient api) => api.GetJsonAsync("/lab/stats");

    /// <summary><c>pitfalls.{id}</c>, or an empty object when the pitfall has recorded nothing yet.</summary>
    public static JsonElement Pitfall(this JsonElement labStats, string id) =>
        labStats.GetProperty("pitfalls").TryGetProperty(id, out var figures) ? figures : Empty;

    public static async Task<JsonElement> PitfallAsync(HttpClient api, string id) => (await ReadAsync(api)).Pitfall(id);

    /// <summary>One variant's figures (<c>pitfalls.{id}.{variant}</c>), or an empty object.</summary>
    public static async Task<JsonElement> VariantAsync(HttpClient api, string id, string variant) =>
        (await PitfallAsync(api, id)).Variant(variant);

    public static JsonElement Variant(this JsonElement pitfall, string variant) =>
        pitfall.TryGetProperty(variant, out var figures) ? figures : Empty;

    /// <summary>One Npgsql pool's figures (<c>dbPools[]</c>, by pool name), or an empty object before the pool exists.</summary>
    public static JsonElement Pool(this JsonElement labStats, string pool) =>
        labStats.GetProperty("dbPools").EnumerateArray().Where(p => p.GetProperty("pool").GetString() == pool).DefaultIfEmpty(Empty).Single();

    /// <summary>A figure as a number, 0 when absent.</summary>
    public static long Figure(this JsonElement figures, string key) =>
        figures.ValueKind == JsonValueKind.Object && figures.TryGetProperty(key, out var value) ? value.GetInt64() : 0;

    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();
}

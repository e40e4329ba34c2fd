using System.Collections.Concurrent;

namespace PitfallLab.Tests;

/// <summary>How the tests load one variant and read what its answers and PostgreSQL say.</summary>
public sealed partial class SharedConnectionTests
{
    private const int BurstConcurrency = 4, BurstRequests = 40;

    private sealed record BurstResult(string Variant, LoadResult Load, IReadOnlyList<JsonElement> Evidence, LookupTotals Totals)
    {
        public IReadOnlyList<HttpStatusCode> Statuses => Load.Statuses;
        public int Requests => Evidence.Count;
        public int ItemsOk => Evidence.Sum(e => e.GetProperty("itemsOk").GetInt32());
        public int ItemsFailed => Evidence.Sum(e => e.GetProperty("itemsFailed").GetInt32());
        public double ItemErrorRate => (double)ItemsFailed / Math.Max(1, ItemsOk + ItemsFailed);
        public int RoundTrips => Evidence.Sum(e => e.GetProperty("roundTrips").GetInt32());
        public int CommandsRefused => Evidence.Sum(e => e.GetProperty("commandsRefused").GetInt32());

        public IReadOnlyDictionary<string, int> ErrorsByType => Evidence
            .SelectMany(e => e.GetProperty("errorsByType").EnumerateObject())
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Sum(p => p.Value.GetProperty("count").GetInt32()));

        public IReadOnlyDictionary<string, string> FirstMessages => Evidence
            .SelectMany(e => e.GetProperty("errorsByType").EnumerateObject())
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Value.GetProperty("firstMessage").GetString()!);

        public override string ToString() =>
            $"{Variant,-8} {Requests} requests x {(ItemsOk + ItemsFailed) / Math.Max(1, Requests)} lookups: items ok {ItemsOk}, failed {ItemsFailed} " +
            $"({ItemErrorRate:P0}; {string.Join(", ", ErrorsByType.Select(e => $"{e.Key} {e.Value}"))}), commands refused {CommandsRefused}, " +
            $"round trips {RoundTrips}, max connections per request {Evidence.Max(e => e.GetProperty("connectionsUsed").GetInt32())}; {Load}";
    }

    private sealed record Session(string State, int Count);

    /// <summary>A variant's running totals in /lab/stats (<c>pitfalls.shared-connection.{variant}</c>); the rate is derived here.</summary>
    private sealed record LookupTotals(long Requests, long Items, long ItemsFailed, long CommandsRefused, long RoundTrips)
    {
        public double ItemErrorRate => (double)ItemsFailed / Math.Max(1, Items);

        public LookupTotals Since(LookupTotals before) => new(Requests - before.Requests, Items - before.Items,
            ItemsFailed - before.ItemsFailed, CommandsRefused - before.CommandsRefused, RoundTrips - before.RoundTrips);

        public override string ToString() =>
            $"{Requests} requests, {Items} lookups: failed {ItemsFailed} ({ItemErrorRate:P0}), commands refused {CommandsRefused}, round trips {RoundTrips}";
    }

    private static async Task<LookupTotals> TotalsAsync(ServiceProcess api, string variant)
    {
        var v = await LabStats.VariantAsync(api.Client, "shared-connection", variant);
        return new(v.Figure("requests"), v.Figure("items"), v.Figure("itemsFailed"), v.Figure("commandsRefused"), v.Figure("roundTrips"));
    }

    /// <summary>One Npgsql pool's figures as /lab/stats shows them (<c>dbPools[]</c>, by pool name).</summary>
    private static async Task<JsonElement> PoolAsync(ServiceProcess api, string pool) => (await LabStats.ReadAsync(api.Client)).Pool(pool);

    /// <summary>A small closed-loop burst of one variant, each request on other users; every answer's evidence kept.</summary>
    private Task<BurstResult> BurstAsync(string variant) => BurstAsync(lab.Api, variant, Lookups, BurstConcurrency, BurstRequests);

    private static async Task<BurstResult> BurstAsync(ServiceProcess api, string variant, int lookups, int concurrency, int requests)
    {
        var evidence = new ConcurrentBag<JsonElement>();
        var before = await TotalsAsync(api, variant);
        var load = await Load.RunAsync(concurrency, requests, async i =>
        {
            var firstUserId = 1 + i * 97 % (4901 - lookups);
            using var response = await api.Client.GetAsync($"{Root}/{variant}?lookups={lookups}&firstUserId={firstUserId}");
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
                evidence.Add(JsonDocument.Parse(body).RootElement.GetProperty("evidence").Clone());
            return response.StatusCode;
        });
        return new BurstResult(variant, load, evidence.ToList(), (await TotalsAsync(api, variant)).Since(before));
    }

    /// <summary>The server's sessions for one Application Name, by state: what each process's pools really hold.</summary>
    private static async Task<IReadOnlyList<Session>> SessionsAsync(string connectionString, string applicationName)
    {
        await using var db = new NpgsqlConnection(connectionString);
        return (await db.QueryAsync<Session>("""
            SELECT coalesce(state, '(unknown)') AS State, count(*)::int AS Count
            FROM pg_stat_activity
            WHERE application_name = @applicationName AND pid <> pg_backend_pid()
            GROUP BY 1 ORDER BY 1
            """, new { applicationName })).ToList();
    }
}

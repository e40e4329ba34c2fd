namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed partial class UnboundedConcurrencyTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/unbounded-concurrency";
    private const int PoolSize = 20, DefaultCap = 20, DefaultBound = 16, DefaultItems = 300;

    [Fact]
    public async Task BadFailsOnAnExhaustedPoolAndOnTheBackendsCapWhileGoodFailsNothingAndKeepsItsBound()
    {
        await lab.Api.Client.PostJsonAsync("/lab/reset");
        var (bad, badAtBackend) = await RunCountedByBackendAsync($"{Root}/bad");
        var (good, goodAtBackend) = await RunCountedByBackendAsync($"{Root}/good"); // right after bad: nothing left over
        output.WriteLine($"bad : {bad} | backend's own count: {badAtBackend}");
        output.WriteLine($"good: {good} | backend's own count: {goodAtBackend}");

        Assert.True(bad.Failures("poolExhausted") > 0, $"bad should lose items to the exhausted pool: {bad}");
        Assert.Contains("The connection pool has been exhausted", bad.FirstError("poolExhausted"));
        Assert.True(bad.Failures("tooManyRequests") > 0, $"bad should get 429s from the backend: {bad}");
        Assert.Equal(DefaultItems, bad.MaxItemsInFlight);
        Assert.True(bad.MaxBackendInFlight > DefaultCap, $"bad's calls in flight should pass the cap {DefaultCap}: {bad}");
        Assert.True(badAtBackend.MaxInFlight > DefaultCap, $"the backend itself should see more than {DefaultCap} calls at once: {badAtBackend}");
        Assert.Equal(bad.Failures("tooManyRequests"), badAtBackend.TooManyRequests);

        Assert.Equal(DefaultItems, good.Succeeded);
        Assert.Equal(0, good.Failures("poolExhausted") + good.Failures("tooManyRequests") + good.Failures("other"));
        Assert.InRange(good.MaxItemsInFlight, 1, DefaultBound);
        Assert.InRange(good.MaxBackendInFlight, 1, DefaultBound);
        Assert.InRange(goodAtBackend.MaxInFlight, 1, DefaultBound);
        Assert.Equal(0, goodAtBackend.TooManyRequests);

        // /lab/stats counted the same, by cause, and kept bad's peak.
        var stats = await LabStats.PitfallAsync(lab.Api.Client, "unbounded-concurrency");
        Assert.Equal((bad.Failures("poolExhausted"), bad.Failures("tooManyRequests"), bad.MaxBackendInFlight),
            (stats.Variant("bad").Figure("poolExhausted"), stats.Variant("bad").Figure("tooManyRequests"), stats.Variant("bad").Figure("maxBackendInFlight")));
        Assert.Equal((DefaultItems, 0L), (stats.Variant("good").Figure("items"), stats.Variant("good").Figure("itemsFailed")));

        // bad is quick only because it gave up on half its items; good does all of them in a few times that.
        Assert.True(good.ElapsedMs <= 6 * bad.ElapsedMs, $"good {good.ElapsedMs:F0} ms should be within 6x bad {bad.ElapsedMs:F0} ms");
    }

    [Fact]
    public async Task BadHurtsOnlyWhileItRunsItsPoolServesASmallBatchRightAfter()
    {
        var bad = await RunAsync($"{Root}/bad");
        Assert.True(bad.Failures("poolExhausted") > 0, $"the pool should have run dry: {bad}");

        // The same unbounded code is fine for ten items: the pool and the backend are back at once.
        var small = await RunAsync($"{Root}/bad?items=10");
        Assert.Equal(10, small.Succeeded);
        var pool = Assert.Single(small.Observation.GetProperty("runtime").GetProperty("dbPools").EnumerateArray(),
            p => p.GetProperty("pool").GetString() == "pitfalllab/unbounded-concurrency/bad");
        Assert.Equal(PoolSize, pool.GetProperty("max").GetInt64());

        var stats = await LabStats.ReadAsync(lab.Api.Client);
        var held = stats.GetProperty("pgActivity").EnumerateArray()
            .Where(a => a.GetProperty("applicationName").GetString() == "pitfalllab/unbounded-concurrency/bad")
            .Sum(a => a.GetProperty("connections").GetInt64());
        Assert.InRange(held, 1, PoolSize);
    }

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    public async Task ForASmallBatchBothVariantsDoTheSameRealJob(string variant)
    {
        const int items = 18; // below the pool's 20 connections and the cap of 20: unbounded is fine here
        var batch = await RunAsync($"{Root}/{variant}?items={items}&queryMs=0&delayMs=10");

        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var total = await db.ExecuteScalarAsync<decimal>("SELECT sum(total) FROM orders WHERE id <= @items", new { items });
        var tiers = (await db.QueryAsync<(string Tier, int Count)>(
            "SELECT u.tier, count(*)::int FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id <= @items GROUP BY u.tier", new { items }))
            .ToDictionary(t => t.Tier, t => t.Count);

        Assert.Equal(items, batch.Succeeded);
        Assert.Equal(total, batch.Result.GetProperty("ordersTotal").GetDecimal());
        var byTier = batch.Result.GetProperty("customersByTier").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(tiers.OrderBy(t => t.Key), byTier.OrderBy(t => t.Key));
    }

    [Fact]
    public async Task TheBoundIsTheFixSetAboveTheCapItLetsThe429sBack()
    {
        var bounded = await RunAsync($"{Root}/good?items=40&bound=8");
        var tooWide = await RunAsync($"{Root}/good?items=100&bound=100");
        output.WriteLine($"bound=8  : {bounded}");
        output.WriteLine($"bound=100: {tooWide}");

        Assert.Equal(40, bounded.Succeeded);
        Assert.InRange(bounded.MaxItemsInFlight, 1, 8);
        Assert.InRange(bounded.MaxBackendInFlight, 1, 8);
        Assert.True(tooWide.Failures("tooManyRequests") > 0, $"a bound of 100 is no bound for a cap of {DefaultCap}: {tooWide}");
    }

    [Fact]
    public async Task AtTheK6ScriptsDefaultsGoodPassesTheObjectiveAndBadFailsEveryBatch()
    {
        const int batches = 4;
        var k6 = K6Defaults.Of("unbounded-concurrency");
        var query = $"items={k6["ITEMS"]}&queryMs={k6["QUERY_MS"]}&delayMs={k6["DELAY_MS"]}&cap={k6["CAP"]}";
        await lab.Api.Client.PostJsonAsync("/lab/reset");
        var good = await Load.AtRateAsync(lab.Api.Client, $"{Root}/good?{query}&bound={k6["BOUND"]}", k6["RATE"], (double)batches / k6["RATE"]);
        var bad = await Load.AtRateAsync(lab.Api.Client, $"{Root}/bad?{query}", k6["RATE"], (double)batches / k6["RATE"]);
        var stats = await LabStats.PitfallAsync(lab.Api.Client, "unbounded-concurrency");
        foreach (var (name, runs) in new[] { ("good", good), ("bad", bad) })
            output.WriteLine($"k6 defaults, {name}: {runs}; /lab/stats: {stats.Variant(name)}");

        // The objective on a stage is k6's; here the defaults must leave good wide headroom under it (its critical
        // path, ceil(items / bound) waves of one query and one call, at most a quarter of it), and a busy machine
        // may stretch a batch to twice the objective before the test calls it a failure.
        var ideal = Math.Ceiling((double)k6["ITEMS"] / k6["BOUND"]) * (k6["QUERY_MS"] + k6["DELAY_MS"]);
        Assert.True(4 * ideal <= k6["SLO_P95_MS"], $"good's critical path {ideal} ms leaves no headroom under the objective {k6["SLO_P95_MS"]} ms");
        Assert.Equal(0, good.Failures + bad.Failures); // a batch answers its tally, a 200, whatever it lost
        Assert.Equal((batches, batches * k6["ITEMS"], 0), (stats.Variant("good").Figure("requests"), stats.Variant("good").Figure("items"), stats.Variant("good").Figure("itemsFailed")));
        Assert.All(good.LatenciesMs, ms => Assert.True(ms < 2 * k6["SLO_P95_MS"], $"good batch took {ms:F0} ms (critical path {ideal} ms)"));
        // Every bad batch lost items.
        Assert.Equal(batches, stats.Variant("bad").Figure("requestsWithFailedItems"));
    }
}

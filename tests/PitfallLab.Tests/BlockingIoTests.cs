namespace PitfallLab.Tests;

/// <summary>
/// Pitfall 1: the three variants do the same real job one request at a time; under the same arrival rate, the
/// blocking ones (bad, and offloaded's Task.Run) starve the thread pool while good does not.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class BlockingIoTests(LabFixture lab, ITestOutputHelper output)
{
    // A fixed arrival rate that async code serves with a couple of threads and blocking code cannot; each variant on a
    // fresh API process, so one variant's grown thread pool cannot help the next.
    private static readonly BurstPlan Plan = new(
        Warmup: "/pitfalls/blocking-io/good?delayMs=0", Probe: "/pitfalls/blocking-io/good?delayMs=100", Rate: 150, Seconds: 4);

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    [InlineData("offloaded")]
    public async Task EveryVariantDoesTheSameRealJobAndAnswersAnObservation(string variant)
    {
        var userId = 1 + Random.Shared.Next(5000);
        var observation = await lab.Api.Client.GetJsonAsync($"/pitfalls/blocking-io/{variant}?userId={userId}&delayMs=50");

        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var orders = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId });

        Assert.Equal("blocking-io", observation.GetProperty("pitfall").GetString());
        Assert.Equal(variant, observation.GetProperty("variant").GetString());
        var result = observation.GetProperty("result");
        Assert.Equal(userId, result.GetProperty("user").GetProperty("id").GetInt32());
        Assert.Equal(orders, result.GetProperty("orders").GetProperty("orders").GetInt64());
        Assert.True(observation.GetProperty("evidence").GetProperty("backendMs").GetDouble() >= 45, "the backend's 50 ms delay was really waited for");
        var runtime = observation.GetProperty("runtime");
        Assert.True(runtime.GetProperty("threadPoolAtEnd").GetProperty("threads").GetInt32() > 0);
        Assert.Contains(runtime.GetProperty("dbPools").EnumerateArray(),
            p => p.GetProperty("pool").GetString() == $"pitfalllab/blocking-io/{variant}");
    }

    [Fact]
    public async Task UnderTheSameLoadBadAndOffloadedStarveThePoolWhileGoodDoesNot()
    {
        var good = await BurstAsync("good");
        var bad = await BurstAsync("bad");
        var offloaded = await BurstAsync("offloaded");

        Assert.Equal(0, good.Load.Failures);
        Assert.Equal(0, bad.Load.Failures);
        Assert.True(bad.Load.P95 >= 3 * good.Load.P95, $"bad p95 {bad.Load.P95:F0} ms should be >= 3x good p95 {good.Load.P95:F0} ms");
        Assert.True(offloaded.Load.P95 >= 3 * good.Load.P95, $"offloaded p95 {offloaded.Load.P95:F0} ms should be >= 3x good p95 {good.Load.P95:F0} ms");
        // Task.Run moves the blocking to another thread of the same pool: same order of magnitude as bad.
        Assert.True(offloaded.Load.P95 >= bad.Load.P95 / 4, $"offloaded p95 {offloaded.Load.P95:F0} ms should not be meaningfully better than bad {bad.Load.P95:F0} ms");
        Assert.True(bad.ThreadGrowth > good.ThreadGrowth, $"bad grew the pool by {bad.ThreadGrowth} threads, good by {good.ThreadGrowth}");
        // The median, as for sync-over-async: a run beside stress-ng --cpu 2 saw 2 of the 40 probes at 676 ms while the
        // grown pool wound down (p95 676 ms, p50 112 ms); StageGuardTests bounds how many seconds full recovery takes.
        Assert.True(bad.After.P50 <= 2 * bad.Before.P50,
            $"right after the bad burst, good requests on the same process are back to normal: p50 {bad.After.P50:F0} ms vs {bad.Before.P50:F0} ms before it");
    }

    private async Task<Burst> BurstAsync(string variant)
    {
        var burst = await lab.OnFreshApiAsync(Plan, variant, $"/pitfalls/blocking-io/{variant}?delayMs=100");
        output.WriteLine(burst.ToString());
        return burst;
    }
}

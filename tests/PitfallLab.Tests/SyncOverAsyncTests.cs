namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class SyncOverAsyncTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/sync-over-async";

    // A fixed arrival rate that async code serves with a couple of threads and blocked threads cannot.
    private static readonly BurstPlan Plan = new(
        Warmup: $"{Root}/good?delayMs=0", Probe: $"{Root}/good?delayMs=100", Rate: 150, Seconds: 0.5);

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    public async Task BadAndGoodDoTheSameRealJob(string variant)
    {
        var userId = 1 + Random.Shared.Next(5000);
        var observation = await lab.Api.Client.GetJsonAsync($"{Root}/{variant}?userId={userId}&delayMs=50");

        Assert.Equal("sync-over-async", observation.GetProperty("pitfall").GetString());
        Assert.Equal(variant, observation.GetProperty("variant").GetString());
        await AssertRealJobAsync(observation.GetProperty("result"), userId);
        Assert.True(observation.GetProperty("evidence").GetProperty("backendMs").GetDouble() >= 45, "the backend's 50 ms delay was really waited for");
    }

    [Fact]
    public async Task UnderTheSameLoadBadStarvesThePoolWhileGoodDoesNotAndTheLabRecoversByItself()
    {
        var good = await lab.OnFreshApiAsync(Plan, "good", $"{Root}/good?delayMs=100");
        output.WriteLine(good.ToString());
        var bad = await lab.OnFreshApiAsync(Plan, "bad", $"{Root}/bad?delayMs=100");
        output.WriteLine(bad.ToString());

        Assert.Equal(0, good.Load.Failures);
        Assert.Equal(0, bad.Load.Failures);
        Assert.True(bad.Load.P95 >= 3 * good.Load.P95, $"bad p95 {bad.Load.P95:F0} ms should be >= 3x good p95 {good.Load.P95:F0} ms");
        // How many threads the pool adds varies from run to run; that bad makes it add more than good does, does not.
        Assert.True(bad.ThreadGrowth > good.ThreadGrowth, $"bad grew the pool by {bad.ThreadGrowth} threads, good by {good.ThreadGrowth}");
        // Starvation is process-wide but ends with the load: the same process serves good requests as before.
        // The median, because a busy machine adds a stray slow request or two; a starved pool slows them all.
        Assert.True(bad.After.P50 <= 2 * bad.Before.P50,
            $"right after the bad burst, good requests are back to normal: p50 {bad.After.P50:F0} ms vs {bad.Before.P50:F0} ms before it");
    }

    [Fact]
    public async Task DeadlockVariantDeadlocksOnEveryCallReturnsWithinItsBoundAndLeavesNoThreadBehind()
    {
        const int bound = 1000, calls = 4;
        var countersBefore = await CountersAsync();
        var observations = new List<JsonElement>();
        for (var i = 0; i < calls; i++)
        {
            var userId = 1 + Random.Shared.Next(5000);
            var clock = Stopwatch.StartNew();
            var observation = await lab.Api.Client.GetJsonAsync($"{Root}/deadlock?userId={userId}&delayMs=20&boundMs={bound}");
            var elapsed = clock.Elapsed.TotalMilliseconds;
            var evidence = observation.GetProperty("evidence");
            var (blocked, noContext, awaited) = (evidence.GetProperty("blockedOnUiThread"),
                evidence.GetProperty("blockedWithoutContext"), evidence.GetProperty("awaitedOnUiThread"));
            output.WriteLine($"call {i + 1}: {elapsed:F0} ms; {observation.GetProperty("result").GetProperty("verdict").GetString()} " +
                $"threads {evidence.GetProperty("processThreadsBefore")} -> {evidence.GetProperty("processThreadsAfter")}");

            Assert.True(observation.GetProperty("result").GetProperty("deadlocked").GetBoolean());
            Assert.True(blocked.GetProperty("deadlocked").GetBoolean());
            Assert.True(blocked.GetProperty("callbacksStuck").GetInt32() >= 1, "the job's continuation waited in the blocked thread's queue");
            Assert.Equal(0, blocked.GetProperty("callbacksRunOnThread").GetInt32());
            var waited = blocked.GetProperty("waitedMs").GetDouble();
            Assert.True(waited >= bound - 20 && waited < 2 * bound, $"waited {waited} ms for a {bound} ms bound");
            Assert.True(elapsed < 3 * bound, $"the request took {elapsed:F0} ms with a {bound} ms bound");
            Assert.True(blocked.GetProperty("rescued").GetBoolean() && blocked.GetProperty("threadExited").GetBoolean());
            // Once rescued, the deadlocked job finished with the real result, and gave its connection back.
            await AssertRealJobAsync(observation.GetProperty("result").GetProperty("rescuedJob"), userId);
            Assert.All(observation.GetProperty("runtime").GetProperty("dbPools").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("used").GetInt64()));

            foreach (var contrast in new[] { noContext, awaited })
            {
                Assert.False(contrast.GetProperty("deadlocked").GetBoolean());
                Assert.False(contrast.GetProperty("rescued").GetBoolean());
                Assert.Null(contrast.GetProperty("error").GetString());
                Assert.True(contrast.GetProperty("jobFinishedAtMs").GetDouble() < waited / 2, "the same job without the deadlock finishes in its own time");
            }
            Assert.True(awaited.GetProperty("callbacksRunOnThread").GetInt32() >= 1, "awaited, the UI thread's loop ran the continuations itself");
            Assert.Equal(0, evidence.GetProperty("uiThreadsAlive").GetInt32());
            observations.Add(observation);
        }

        // One blocked thread leaked per call would add `calls` threads; thread-pool noise stays below that.
        var threadsBefore = observations[0].GetProperty("evidence").GetProperty("processThreadsBefore").GetInt32();
        var threadsAfter = observations[^1].GetProperty("evidence").GetProperty("processThreadsAfter").GetInt32();
        Assert.True(threadsAfter < threadsBefore + calls, $"process threads {threadsBefore} -> {threadsAfter} after {calls} deadlocks");
        var countersAfter = await CountersAsync();
        Assert.Equal(calls, Delta(countersBefore, countersAfter, "deadlocksReported"));
        Assert.Equal(calls, Delta(countersBefore, countersAfter, "rescued"));
        Assert.Equal(0, countersAfter.Figure("uiThreadsAlive"));
    }

    [Fact]
    public async Task AClientThatLeavesMidDeadlockLeavesNoThreadBlocked()
    {
        const int bound = 8000;
        var countersBefore = await CountersAsync();
        using var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => lab.Api.Client.GetAsync($"{Root}/deadlock?delayMs=20&boundMs={bound}", leave.Token));

        // Kestrel notices the closed connection; the handler rescues the thread at once instead of waiting for the bound.
        var clock = Stopwatch.StartNew();
        var counters = countersBefore;
        await Eventually.HoldsAsync(async () =>
        {
            counters = await CountersAsync();
            return counters.Figure("uiThreadsAlive") == 0 && Delta(countersBefore, counters, "clientAborts") > 0;
        }, TimeSpan.FromMilliseconds(bound / 2), () => $"the abort counted and no UI thread alive: {counters}");
        output.WriteLine($"{clock.ElapsedMilliseconds} ms after the client left: {counters}");
        Assert.Equal(1, Delta(countersBefore, counters, "clientAborts"));
        Assert.Equal(0, counters.Figure("uiThreadsAlive"));
    }

    private async Task AssertRealJobAsync(JsonElement result, int userId)
    {
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var orders = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId });
        Assert.Equal(userId, result.GetProperty("user").GetProperty("id").GetInt32());
        Assert.Equal(orders, result.GetProperty("orders").GetProperty("orders").GetInt64());
    }

    /// <summary>The deadlock variant's figures in /lab/stats: pitfalls.sync-over-async.deadlock.</summary>
    private Task<JsonElement> CountersAsync() => LabStats.VariantAsync(lab.Api.Client, "sync-over-async", "deadlock");

    private static long Delta(JsonElement before, JsonElement after, string name) => after.Figure(name) - before.Figure(name);
}

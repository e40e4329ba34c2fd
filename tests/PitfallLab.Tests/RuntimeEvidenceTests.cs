namespace PitfallLab.Tests;

/// <summary>
/// The runtime's own word (issue 12, item 3): thread-pool starvation and synchronous task waits, as the in-process
/// EventListener counts them, in each observation's runtime evidence and on the lab meter (per variant, and under
/// the pitfall <c>lab</c> for the whole process). Bursts replay the k6 scripts' default rate and delay, for a few
/// seconds instead of k6's 20, each variant on a fresh API process.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class RuntimeEvidenceTests(LabFixture lab, ITestOutputHelper output)
{
    private const string BlockingIo = "/pitfalls/blocking-io", SyncOverAsync = "/pitfalls/sync-over-async";
    private const double BurstSeconds = 4;

    [Theory]
    [InlineData("sync-over-async", "bad", 1)]
    [InlineData("sync-over-async", "good", 0)]
    [InlineData("blocking-io", "good", 0)]
    public async Task ABlockingWaitIsCountedForTheRequestWhoseThreadWaits(string pitfall, string variant, int waits)
    {
        for (var i = 0; i < 3; i++)
        {
            var runtime = (await lab.Api.Client.GetJsonAsync($"/pitfalls/{pitfall}/{variant}?delayMs=50")).GetProperty("runtime");
            output.WriteLine($"{pitfall}/{variant}: blockingWaits {runtime.GetProperty("blockingWaits")}, starvationEvents {runtime.GetProperty("starvationEvents")}");
            // bad blocks once, on GetResult; what its job awaits inside is asynchronous and not counted.
            Assert.Equal(waits, runtime.GetProperty("blockingWaits").GetInt32());
        }
    }

    [Fact]
    public async Task TheDeadlockVariantsWaitsOnItsOwnThreadsCountForIt()
    {
        var runtime = (await lab.Api.Client.GetJsonAsync($"{SyncOverAsync}/deadlock?delayMs=20&boundMs=300")).GetProperty("runtime");
        output.WriteLine($"sync-over-async/deadlock: blockingWaits {runtime.GetProperty("blockingWaits")}");
        // Its UI-like threads start with the request's ExecutionContext, scope included: the blocked-on-UI-thread and the
        // blocked-without-context runs each wait once; the awaited run does not.
        Assert.Equal(2, runtime.GetProperty("blockingWaits").GetInt32());
    }

    [Fact]
    public async Task UnderTheK6BurstBlockingIoBadReportsStarvationWhileGoodReportsNone()
    {
        var k6 = K6Defaults.Of("blocking-io");
        var (rate, delay) = (k6["RATE"], k6["DELAY_MS"]);
        var warmup = $"{BlockingIo}/good?delayMs=0";
        var bad = await BurstAsync("blocking-io", "bad", $"{BlockingIo}/bad?delayMs={delay}", warmup, rate, BurstSeconds);
        var good = await BurstAsync("blocking-io", "good", $"{BlockingIo}/good?delayMs={delay}", warmup, rate, BurstSeconds);

        Assert.Equal(0, bad.Load.Failures + good.Load.Failures);
        // Starvation events are sparse and process-wide: asserted over the burst, and on at least one observation.
        Assert.True(bad.VariantStarvation > 0, $"the runtime reported starvation during bad's burst: {bad}");
        Assert.True(bad.TotalStarvation >= bad.VariantStarvation, bad.ToString());
        Assert.True(bad.ObservationsWithStarvation > 0, $"some bad observation carries it: {bad}");
        AssertSilent(good);
    }

    [Fact]
    public async Task UnderItsK6BurstSyncOverAsyncBadReportsItsWaitsAndStarvationWhileGoodReportsNone()
    {
        var k6 = K6Defaults.Of("sync-over-async");
        var (rate, delay) = (k6["RATE"], k6["DELAY_MS"]);
        var warmup = $"{SyncOverAsync}/good?delayMs=0";
        var bad = await BurstAsync("sync-over-async", "bad", $"{SyncOverAsync}/bad?delayMs={delay}", warmup, rate, BurstSeconds);
        var good = await BurstAsync("sync-over-async", "good", $"{SyncOverAsync}/good?delayMs={delay}", warmup, rate, BurstSeconds);

        Assert.Equal(0, bad.Load.Failures + good.Load.Failures);
        Assert.All(bad.Observations, o => Assert.True(o.Waits >= 1, $"every bad request blocked on its job: {bad}"));
        Assert.True(bad.VariantWaits >= bad.Observations.Count, $"the meter counted them for sync-over-async/bad: {bad}");
        Assert.True(bad.VariantStarvation > 0, $"the runtime reported starvation during bad's burst: {bad}");
        AssertSilent(good);
    }

    [Fact]
    public async Task ListeningCostsLittleCpuAndSwitchedOffCountsNothing()
    {
        // TaskWaitBegin fires on every await once the TPL source is on: what the listener costs is CPU per async request.
        var on = await CpuPerRequestAsync(enabled: true);
        var off = await CpuPerRequestAsync(enabled: false);
        output.WriteLine($"API CPU per good request ({CostRequests} requests, {CostConcurrency} at a time): listener on {on.Cpu:F3} ms, off {off.Cpu:F3} ms ({on.Cpu / off.Cpu:F2}x)");

        Assert.True(on.Cpu <= 2 * off.Cpu, $"listening costs {on.Cpu:F3} ms of CPU per request vs {off.Cpu:F3} ms without");
        Assert.Equal(1, on.BadWaits);
        Assert.Equal(0, off.BadWaits);
    }

    private const int CostRequests = 1500, CostConcurrency = 8;

    private async Task<(double Cpu, int BadWaits)> CpuPerRequestAsync(bool enabled)
    {
        await using var api = await lab.StartApiAsync(new Dictionary<string, string> { ["RuntimeEvents__Enabled"] = enabled ? "true" : "false" });
        var path = $"{SyncOverAsync}/good?delayMs=0";
        await Load.RunAsync(api.Client, path, CostConcurrency, 300);
        var cpu = api.CpuTime;
        var load = await Load.RunAsync(api.Client, path, CostConcurrency, CostRequests);
        var perRequest = (api.CpuTime - cpu).TotalMilliseconds / CostRequests;
        Assert.Equal(0, load.Failures);
        var bad = (await api.Client.GetJsonAsync($"{SyncOverAsync}/bad?delayMs=50")).GetProperty("runtime");
        return (perRequest, bad.GetProperty("blockingWaits").GetInt32());
    }

    /// <summary>Nothing at all: no starvation while good ran, no synchronous wait, on the meter or in any observation.</summary>
    private static void AssertSilent(RuntimeBurst good)
    {
        Assert.Equal(0, good.VariantStarvation);
        Assert.Equal(0, good.VariantWaits);
        Assert.Equal(0, good.ObservationsWithStarvation + good.ObservationsWithWaits);
    }
}

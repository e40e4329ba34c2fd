namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class BusyPollingTests(LabFixture lab, ITestOutputHelper output)
{
    private const int JobMs = 300;

    [Fact]
    public async Task BadPollsTheRowHundredsOfTimesWhileGoodListensAndStillNoticesWithinTensOfMs()
    {
        // A process of its own: the work items and CPU of the evidence are process-wide, and the shared API may
        // still be busy after earlier tests. Warm both paths up (JIT), then all goods before all bads.
        await using var api = await lab.StartApiAsync();
        await WaitForJobAsync("good", "jobMs=0", api.Client);
        await WaitForJobAsync("bad", "jobMs=0", api.Client);
        var good = new List<JsonElement>();
        var bad = new List<JsonElement>();
        for (var i = 0; i < 3; i++) good.Add(await WaitForJobAsync("good", $"jobMs={JobMs}", api.Client));
        for (var i = 0; i < 3; i++) bad.Add(await WaitForJobAsync("bad", $"jobMs={JobMs}", api.Client));

        foreach (var o in bad.Concat(good))
        {
            await AssertJobDoneInDatabaseAsync(o);
            Assert.True(Evidence(o, "waitedMs") >= 0.9 * JobMs, $"the waiter really waited for the job: {o}");
        }
        var (badQueries, goodQueries) = (Median(bad, "queriesWhileWaiting"), Median(good, "queriesWhileWaiting"));
        var (badItems, goodItems) = (Median(bad, "processThreadPoolWorkItems"), Median(good, "processThreadPoolWorkItems"));
        // Printed, not asserted (see below); the least of 3 is closest to the wait's own cost.
        var (badCpu, goodCpu) = (Least(bad, "processCpuMs"), Least(good, "processCpuMs"));
        var goodNoticed = Median(good, "noticedAfterMs");
        output.WriteLine($"jobMs={JobMs}, 3 waits each (median; least CPU): bad {badQueries} queries, {badItems} work items, {badCpu} ms CPU, noticed after {Median(bad, "noticedAfterMs")} ms; " +
                         $"good {goodQueries} queries, {goodItems} work items, {goodCpu} ms CPU, noticed after {goodNoticed} ms");

        // Quiet: thousands. Beside stress-ng --cpu 2 --io 1: 181 to 843 (medians), hence a ratio, not "hundreds".
        Assert.True(badQueries >= 20 * goodQueries, $"bad polls tens of times more than good: {badQueries} vs {goodQueries}");
        Assert.True(goodQueries <= 5, $"good sends a handful of commands: {goodQueries}");
        // What bad's CPU goes on, counted: every turn of its loop is one Task.Yield dispatched by the thread pool
        // (and one query). Counted rather than timed: quiet, processCpuMs is ~280 ms against ~1.5 ms, but beside
        // stress-ng --cpu 2 --io 1 the lone spinner gets a fraction of a core and the process's own background CPU
        // (JIT, GC: 20 to 90 ms per 300 ms wait, with good's 5 work items) lands on both: 0.7x to 4.4x was measured.
        Assert.True(badItems >= 10 * Math.Max(goodItems, 1), $"every Task.Yield is a thread-pool work item: bad {badItems} vs good {goodItems}");
        Assert.True(goodNoticed <= JobMs / 3.0, $"good notices within tens of ms of a {JobMs} ms job: {goodNoticed} ms");
    }

    [Fact]
    public async Task UnderTheSameLoadBadWaitersSendTensOfTimesGoodsQueriesPerWaitAndTheLabRecovers()
    {
        // Counted, not timed: what a busy neighbour (a compile, stress-ng) cannot blur. The probe's latency and the
        // API's CPU are printed, as k6 shows them, not asserted: under this load bad's spinning is bound by
        // PostgreSQL's round trips, so the API's own CPU differs by under 2x, and beside 2 saturated cores the
        // probe's few ms of difference (12 vs 1 ms quiet, 22 vs 20 ms beside stress-ng) are within the noise.
        var api = lab.Api;
        await BusyPollingLoad.WarmUpAsync(api.Client);
        var idle = await BusyPollingLoad.ProbeAsync(api.Client, TimeSpan.FromSeconds(1.5));
        var before = await BusyPollingLoad.TotalsAsync(api.Client);

        // Good and bad take turns, so that whatever else the machine is doing weighs on both alike.
        var phases = new List<(string Variant, BusyPollingLoad.Phase Phase)>();
        for (var round = 0; round < 2; round++)
            foreach (var variant in new[] { "good", "bad" })
                phases.Add((variant, await BusyPollingLoad.UnderLoadAsync(api, variant, JobMs)));
        var good = BusyPollingLoad.Merge(phases.Where(p => p.Variant == "good").Select(p => p.Phase));
        var bad = BusyPollingLoad.Merge(phases.Where(p => p.Variant == "bad").Select(p => p.Phase));
        // Recovered: once the last bad waiter has answered, none of bad's connections is still running a query...
        await Eventually.HoldsAsync(async () => ActiveConnections(await LabStats.ReadAsync(api.Client), "bad") == 0,
            TimeSpan.FromSeconds(15), "bad's connections go idle once its waiters have answered");
        // ...and within seconds an unrelated request is as quick as before bad ran (generous: the probe is a few ms,
        // the noise as large). Probed again until it is: once in a CI run, the first 1.5 s after bad still showed 26 ms.
        var calm = Math.Max(idle.P50, good.Probe.P50);
        var recovery = Stopwatch.StartNew();
        var after = await BusyPollingLoad.ProbeAsync(api.Client, TimeSpan.FromSeconds(1.5));
        while (after.P50 > 3 * calm + 10 && recovery.Elapsed < TimeSpan.FromSeconds(10))
            after = await BusyPollingLoad.ProbeAsync(api.Client, TimeSpan.FromSeconds(1.5));
        var totals = await BusyPollingLoad.TotalsAsync(api.Client);
        long Waits(string v) => totals[v].Waits - before[v].Waits;
        double QueriesPerWait(string v) => (totals[v].Queries - before[v].Queries) / (double)Waits(v);

        var (goodPerWait, badPerWait) = (QueriesPerWait("good"), QueriesPerWait("bad"));
        output.WriteLine($"probe {BusyPollingLoad.ProbePath} idle before: {idle}");
        output.WriteLine($"good x{BusyPollingLoad.Waiters}: {Waits("good")} waits {good.Waiters}; {goodPerWait:F1} queries/wait; API CPU {good.CpuMs / Waits("good"):F2} ms/wait, {good.Cores:F2} cores; probe {good.Probe}");
        output.WriteLine($"bad  x{BusyPollingLoad.Waiters}: {Waits("bad")} waits {bad.Waiters}; {badPerWait:F1} queries/wait; API CPU {bad.CpuMs / Waits("bad"):F2} ms/wait, {bad.Cores:F2} cores; probe {bad.Probe}");
        output.WriteLine($"probe idle after: {after} (calm again {recovery.Elapsed.TotalSeconds:F1} s after bad's connections went idle)");

        var failures = good.Waiters.Failures + bad.Waiters.Failures + good.Probe.Failures + bad.Probe.Failures;
        if (failures > 0) api.ShowOutput(output);
        Assert.Equal(0, failures);
        // Quiet: ~110 against 3. Beside stress-ng --cpu 2 --io 1 PostgreSQL answers fewer polls: 19.7 to 81.8 were
        // measured. 3x still fails a waiter that polls on a sane interval (a 100 ms PeriodicTimer: ~3 per 300 ms job).
        Assert.True(badPerWait >= 3 * goodPerWait, $"bad {badPerWait:F1} queries per wait vs good {goodPerWait:F1}");
        Assert.True(after.P50 <= 3 * calm + 10, $"the lab recovers within seconds: probe p50 {after.P50:F1} ms after {recovery.Elapsed.TotalSeconds:F0} s vs {calm:F1} ms before bad ran");
    }

    private static long ActiveConnections(JsonElement labStats, string variant) =>
        labStats.GetProperty("pgActivity").EnumerateArray()
            .Where(a => a.GetProperty("applicationName").GetString() == $"pitfalllab/busy-polling/{variant}" && a.GetProperty("state").GetString() == "active")
            .Sum(a => a.GetProperty("connections").GetInt64());

    [Fact]
    public async Task GoodStillHearsAJobThatFinishedBeforeItStartedListening()
    {
        // jobMs=0: the worker's NOTIFY usually goes out before the waiter's LISTEN. Only the read after LISTEN saves it.
        for (var i = 0; i < 5; i++)
        {
            var o = await WaitForJobAsync("good", "jobMs=0&timeoutMs=5000");
            await AssertJobDoneInDatabaseAsync(o);
            Assert.True(Evidence(o, "waitedMs") <= 5000 / 10.0, $"no lost wakeup: it did not sit out its timeout: {o}");
        }
    }

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    public async Task NeitherWaiterWaitsPastItsTimeoutAndTheWorkerStillFinishesTheJob(string variant)
    {
        const int jobMs = 1500;
        var o = await WaitForJobAsync(variant, $"jobMs={jobMs}&timeoutMs=200");

        var result = o.GetProperty("result");
        Assert.True(result.GetProperty("timedOut").GetBoolean(), $"{o}");
        Assert.Equal("running", result.GetProperty("status").GetString());
        Assert.True(o.GetProperty("elapsedMs").GetDouble() < jobMs / 2.0, $"the wait is bounded by timeoutMs, not the job: {o}");

        await Eventually.HoldsAsync(async () => (await ReadJobAsync(result.GetProperty("jobId").GetGuid())).Status == "done", TimeSpan.FromSeconds(10), "the worker finishes the job");
    }

    [Fact]
    public async Task CatalogTagAndStatsExplainBusyPolling()
    {
        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/busy-polling");
        Assert.Equal(8, entry.GetProperty("number").GetInt32());
        Assert.Contains("Task.Delay(0)", entry.GetProperty("dotnetMechanism").GetString());
        Assert.Equal(["POST /pitfalls/busy-polling/bad", "POST /pitfalls/busy-polling/good"],
            entry.GetProperty("routes").EnumerateArray().Select(r => $"{r.GetProperty("method")} {r.GetProperty("path")}").Order());
        var document = await lab.Api.Client.GetJsonAsync("/openapi/v1.json");
        Assert.Contains(document.GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "08 busy-polling");

        await WaitForJobAsync("good", "jobMs=0");
        var good = await LabStats.VariantAsync(lab.Api.Client, "busy-polling", "good");
        Assert.True(good.Figure("waits") > 0 && good.Figure("queries") >= good.Figure("waits"), $"{good}");
        var reset = await lab.Api.Client.PostJsonAsync("/lab/reset");
        Assert.Equal(0, reset.Pitfall("busy-polling").Variant("good").Figure("waits"));
    }

    private async Task<JsonElement> WaitForJobAsync(string variant, string query, HttpClient? client = null)
    {
        using var response = await (client ?? lab.Api.Client).PostAsync($"/pitfalls/busy-polling/{variant}?{query}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{variant} answered {(int)response.StatusCode}: {body}");
        var o = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal("busy-polling", o.GetProperty("pitfall").GetString());
        Assert.Equal(variant, o.GetProperty("variant").GetString());
        return o;
    }

    private async Task AssertJobDoneInDatabaseAsync(JsonElement o)
    {
        var result = o.GetProperty("result");
        Assert.Equal("done", result.GetProperty("status").GetString());
        Assert.False(result.GetProperty("timedOut").GetBoolean());
        var job = await ReadJobAsync(result.GetProperty("jobId").GetGuid());
        Assert.Equal(("busy-polling", "done", true), (job.Kind, job.Status, job.CompletedAt is not null));
    }

    private sealed record JobRow(string Kind, string Status, DateTime? CompletedAt);

    private async Task<JobRow> ReadJobAsync(Guid id)
    {
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        return await db.QuerySingleAsync<JobRow>(
            "SELECT kind AS Kind, status AS Status, completed_at AS CompletedAt FROM jobs WHERE id = @id", new { id });
    }

    private static double Evidence(JsonElement o, string name) => o.GetProperty("evidence").GetProperty(name).GetDouble();

    private static double Median(IEnumerable<JsonElement> observations, string name) =>
        observations.Select(o => Evidence(o, name)).Order().ToArray() is var sorted ? sorted[sorted.Length / 2] : 0;

    private static double Least(IEnumerable<JsonElement> observations, string name) => observations.Min(o => Evidence(o, name));
}

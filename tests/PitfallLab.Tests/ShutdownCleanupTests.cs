namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class ShutdownCleanupTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/shutdown-cleanup";

    // 12 jobs, 4 at a time, 2 s each: waves at 0-2 s, 2-4 s, 4-6 s. SIGTERM at 2.1 s, early in the second wave, and a 1 s
    // ShutdownTimeout: the second wave cannot finish before either variant's host gives up (4.0 s against 3.1 s), and the
    // third has not started. Wide margins on purpose: a slow machine only makes jobs later, never earlier.
    private const string Knobs = "jobs=12&concurrency=4&jobMs=2000&stopAfterMs=2100&shutdownTimeoutMs=1000";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task BadLosesJobsWithoutATraceAndLeavesTheirQueriesRunningOnTheServer()
    {
        var run = await RunAsync("bad");

        Assert.True(run.Lost > 0, $"bad lost no job: {run}");
        Assert.Equal(0, run.Rows.Pending); // nothing recorded what was cut off
        Assert.Equal(run.Rows.Completed, run.Result.GetProperty("completed").GetInt32());
        Assert.Equal(run.Lost, run.Result.GetProperty("lost").GetInt32());
        // The cut-off jobs' queries outlived their process: PostgreSQL saw them still running after it was gone.
        Assert.True(run.Evidence.GetProperty("queriesStillRunning").GetInt32() > 0, $"no query outlived the worker: {run.Evidence}");
        Assert.Equal(0, run.Evidence.GetProperty("exitCode").GetInt32()); // and the exit looked clean
        Assert.False(run.Evidence.GetProperty("killedByLab").GetBoolean());

        // Damage bounded: the lab ended those backends, so the next run starts clean.
        await NoBackendLeftAsync("bad");
    }

    [Fact]
    public async Task GoodLosesNoJobRecordsWhatItCouldNotFinishAndClosesEveryConnection()
    {
        var run = await RunAsync("good");

        Assert.Equal(0, run.Lost);
        Assert.Equal(run.Enqueued, run.Rows.Completed + run.Rows.Pending);
        Assert.True(run.Rows.Pending > 0, $"the third wave never started, so it must be recorded as pending: {run}");
        Assert.Equal(run.Rows.Pending, run.Result.GetProperty("recordedPending").GetInt32());
        Assert.Equal(0, run.Result.GetProperty("lost").GetInt32());
        Assert.Equal(0, run.Evidence.GetProperty("connectionsLeft").GetInt32());
        Assert.Equal(0, run.Evidence.GetProperty("closedByLab").GetInt32());
        Assert.Equal(0, run.Evidence.GetProperty("exitCode").GetInt32());
        Assert.False(run.Evidence.GetProperty("killedByLab").GetBoolean());
        await NoBackendLeftAsync("good");
    }

    [Fact]
    public async Task TheEntryIsNumberFourAndEveryRuleItNamesIsAPragmaInTheBadWorker()
    {
        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/shutdown-cleanup");
        Assert.Equal(4, entry.GetProperty("number").GetInt32());
        var bad = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "src", "PitfallLab.Worker", "Bad", "ForgetfulWorker.cs"));
        var rules = entry.GetProperty("analyzerRules").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, rule => Assert.Contains($"#pragma warning disable {rule}", bad));
    }

    private async Task<Run> RunAsync(string variant)
    {
        var before = await LabStats.VariantAsync(lab.Api.Client, "shutdown-cleanup", variant);
        var body = await lab.Api.Client.PostJsonAsync($"{Root}/{variant}?{Knobs}");
        Assert.Equal(variant, body.GetProperty("variant").GetString());
        var result = body.GetProperty("result");
        var evidence = body.GetProperty("evidence");
        var runId = result.GetProperty("runId").GetGuid();

        // Counted from the rows really in PostgreSQL, not from the answer.
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var rows = await db.QuerySingleAsync<(int Completed, int Pending)>("""
            SELECT count(*) FILTER (WHERE status = 'completed')::int, count(*) FILTER (WHERE status = 'pending')::int
            FROM shutdown_jobs WHERE run_id = @runId AND variant = @variant
            """, new { runId, variant });
        var enqueued = result.GetProperty("enqueued").GetInt32();
        var run = new Run(enqueued, rows, enqueued - rows.Completed - rows.Pending, result, evidence);
        output.WriteLine($"{variant,-4} ({Knobs}): enqueued {enqueued}, completed {rows.Completed}, recorded pending {rows.Pending}, lost {run.Lost}; " +
            $"SIGTERM after {evidence.GetProperty("sigtermAfterMs")} ms, stop took {evidence.GetProperty("stopMs")} ms (timeout {evidence.GetProperty("shutdownTimeoutMs")}), " +
            $"exit code {evidence.GetProperty("exitCode")}; backends opened {evidence.GetProperty("backendsOpened")}, left after the stop {evidence.GetProperty("connectionsLeft")} " +
            $"({evidence.GetProperty("queriesStillRunning")} still running a query), closed by the lab {evidence.GetProperty("closedByLab")}");
        output.WriteLine("  worker after SIGTERM: " + string.Join(" | ", evidence.GetProperty("workerSaidAfterSigterm").EnumerateArray().Select(l => l.GetString())));

        // /lab/stats (the lab's meter) added this run to the variant's totals, as the answer and the rows say.
        var after = await LabStats.VariantAsync(lab.Api.Client, "shutdown-cleanup", variant);
        long Added(string key) => after.Figure(key) - before.Figure(key);
        Assert.Equal(
            (1L, (long)enqueued, (long)rows.Completed, (long)rows.Pending, (long)run.Lost, (long)evidence.GetProperty("connectionsLeft").GetInt32(), 0L),
            (Added("runs"), Added("enqueued"), Added("completed"), Added("recordedPending"), Added("lost"), Added("connectionsLeft"), Added("killedByLab")));
        return run;
    }

    private async Task NoBackendLeftAsync(string variant)
    {
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        await Eventually.HoldsAsync(async () => await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @app", new { app = $"pitfalllab/shutdown-cleanup/{variant}" }) == 0,
            Patience, $"no pitfalllab/shutdown-cleanup/{variant} backend is left");
    }

    private sealed record Run(int Enqueued, (int Completed, int Pending) Rows, int Lost, JsonElement Result, JsonElement Evidence);
}

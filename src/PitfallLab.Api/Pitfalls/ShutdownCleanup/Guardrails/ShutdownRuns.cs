using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

/// <summary>
/// One run, the same for both variants: start the worker, wait until it took its jobs, SIGTERM it after stopAfterMs,
/// time the stop (killing it at a bound), then count in PostgreSQL what became of the jobs and what the worker left open.
/// </summary>
public sealed class ShutdownRuns(
    WorkerSlots slots, RunLedger ledger, IConfiguration configuration,
    IHostApplicationLifetime lifetime, ILogger<ShutdownRuns> logger)
{
    private static readonly TimeSpan StartupBound = TimeSpan.FromSeconds(20);
    // Past the worker's own ShutdownTimeout, this much more before the lab kills it.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(4);
    // Long enough for PostgreSQL to reap the sockets a dead process dropped, short of any job's end.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    public async Task<Results<Ok<Observation<JobsOutcome, StopEvidence>>, ProblemHttpResult>> RunAsync(
        string variant, ShutdownKnobs knobs, CancellationToken ct)
    {
        using var watch = Watch.Start(ShutdownCleanupPitfall.Id, variant);
        if (!slots.TryEnter())
        {
            ShutdownMetrics.Rejected(watch.Variant);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Workers busy",
                detail: $"{WorkerSlots.Max} shutdown-cleanup workers are already running; each ends within seconds. Retry shortly.");
        }
        // A client that leaves, or the API itself stopping, ends the run at once: the worker is killed on the way out.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        ct = abort.Token;
        try
        {
            var runId = Guid.NewGuid();
            await using var worker = WorkerProcess.Start(watch.Variant, runId, knobs, configuration.GetConnectionString("Lab")!);
            int enqueued;
            try { enqueued = await worker.EnqueuedAsync(StartupBound, ct); }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                logger.LogError(ex, "shutdown-cleanup worker did not start: {Output}", string.Join('\n', worker.SaidAfterSigterm));
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Worker did not start", detail: ex.Message);
            }

            var clock = Stopwatch.StartNew();
            await Task.Delay(knobs.StopAfterMs, ct);
            var sigtermAfterMs = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
            var (stopMs, exitCode, killed) = await worker.StopAsync(TimeSpan.FromMilliseconds(knobs.ShutdownTimeoutMs) + KillGrace);

            await Task.Delay(Settle, CancellationToken.None);
            var pids = worker.BackendPids;
            var (left, running) = await ledger.LeftoverAsync(watch.Variant, pids);
            var (completed, pending) = await ledger.CountAsync(runId);
            var closed = left == 0 ? 0 : await ledger.CloseLeftoversAsync(watch.Variant, pids);

            var outcome = new JobsOutcome(runId, enqueued, completed, pending, enqueued - completed - pending);
            var host = $"PitfallLab.Worker (pid {worker.Pid}): a generic host in its own process, running src/PitfallLab.Worker/{(watch.Variant == "good" ? "Good/DrainingWorker.cs" : "Bad/ForgetfulWorker.cs")}";
            var evidence = new StopEvidence(host, sigtermAfterMs, stopMs, knobs.ShutdownTimeoutMs, exitCode, killed,
                pids.Count, left, running, closed, worker.SaidAfterSigterm);
            ShutdownMetrics.Record(watch.Variant, outcome, evidence);
            return TypedResults.Ok(watch.Finish(outcome, evidence));
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The API is stopping",
                detail: "The run was ended and its worker killed before it could be measured.");
        }
        finally
        {
            slots.Release();
        }
    }
}

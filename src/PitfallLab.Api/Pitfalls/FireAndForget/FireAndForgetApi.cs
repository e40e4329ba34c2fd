using System.ComponentModel;
using PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// Pitfall 10: work started and forgotten. The same charge two ways: answer 202, then run it in a Task nobody
/// observes (bad), or give it an owner that awaits it and records and logs how it ended (good).
/// </summary>
public static class FireAndForgetApi
{
    private const string Id = FireAndForgetPitfall.Id;

    public static Accepted<Observation<ChargeAccepted, DispatchEvidence>> Bad(
        [AsParameters] ChargeKnobs knobs, Charge charge, LabMetricsListener stats, UnobservedTasks unobserved)
    {
        using var watch = Watch.Start(Id, "bad");
        var work = new ChargeWork(Guid.NewGuid(), knobs);
        // `_ =` is a pragma in disguise: it silences CS4014 and VSTHRD110, the two rules that flag a Task nobody observes.
        _ = Task.Run(() => charge.RunAsync(work, "bad", CancellationToken.None));
        string? statusUrl = null;
        var accepted = new ChargeAccepted(work.ChargeId, statusUrl, IfItFails: "nobody: no job record, no log line; at best an UnobservedTaskException after some later GC");
        return TypedResults.Accepted(statusUrl, watch.Finish(accepted, Evidence("_ = Task.Run(charge)", null, watch, stats, unobserved)));
    }

    public static async Task<Results<Accepted<Observation<ChargeAccepted, DispatchEvidence>>, ProblemHttpResult>> Good(
        [AsParameters] ChargeKnobs knobs, Charge charge, ChargeQueue queue, ChargeJobs jobs, ILogger<ChargeWorker> log,
        LabMetricsListener stats, UnobservedTasks unobserved, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var work = new ChargeWork(Guid.NewGuid(), knobs);
        // A job record, a bounded queue, and a worker that awaits the charge: whatever it throws is logged and recorded.
        var queued = await queue.TryEnqueueAsync(work, async stopping =>
        {
            try { await jobs.MarkDoneAsync(work.ChargeId, await charge.RunAsync(work, "good", stopping)); }
            catch (Exception ex)
            {
                log.LogError(ex, "Charge job {JobId} failed", work.ChargeId);
                await jobs.MarkFailedAsync(work.ChargeId, ex, stopping);
            }
        }, ct);
        if (!queued) return QueueFull();
        var statusUrl = $"/pitfalls/{Id}/jobs/{work.ChargeId}";
        var accepted = new ChargeAccepted(work.ChargeId, statusUrl, IfItFails: "its job record says failed, with the error, and the log says so with the job id");
        return TypedResults.Accepted(statusUrl, watch.Finish(accepted, Evidence($"bounded Channel ({ChargeQueue.Capacity}) read by a BackgroundService", queue.Depth, watch, stats, unobserved)));
    }

    public static async Task<Results<Ok<JobRecord>, ProblemHttpResult>> Job(
        [Description("The chargeId of a 202 (good's Location header points here).")] Guid id, ChargeJobs jobs, CancellationToken ct) =>
        await jobs.FindAsync(id, ct) is { } job
            ? TypedResults.Ok(job)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such job",
                detail: $"No {Id} job has the id {id}. A chargeId from /bad never has one: nothing recorded that work, so nothing can tell whether it failed.");

    public static Ok<Observation<CollectResult, CollectEvidence>> Collect(LabMetricsListener stats, UnobservedTasks unobserved)
    {
        using var watch = Watch.Start(Id, "collect");
        var before = unobserved.Figures();
        // A faulted, unobserved Task reports only from its finalizer: collect, let finalizers run, collect what they freed.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gcMs = watch.Lap();
        var after = unobserved.Figures();
        var evidence = new CollectEvidence(gcMs, after.FromThisPitfall - before.FromThisPitfall, ChargeTally.Figures(stats, "bad"));
        return TypedResults.Ok(watch.Finish(new CollectResult(before, after), evidence));
    }

    private static DispatchEvidence Evidence(string dispatch, int? queueDepth, Watch watch, LabMetricsListener stats, UnobservedTasks unobserved) =>
        new(dispatch, queueDepth, ChargeTally.Figures(stats, watch.Variant), unobserved.Figures().FromThisPitfall);

    private static ProblemHttpResult QueueFull() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Charge queue full",
        detail: $"{ChargeQueue.Capacity} charges are already waiting. Nothing was accepted and no job was recorded: retry later.");
}

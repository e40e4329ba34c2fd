using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// Pitfall 10: work started and forgotten. The same charge two ways: answer 202, then run it in a Task nobody
/// observes (bad), or hand it to a bounded queue whose worker records and logs every outcome (good).
/// </summary>
public static class FireAndForgetApi
{
    private const string Id = FireAndForgetPitfall.Id;
    private static readonly PoolShape BadPool = new(MaxPoolSize: 20, TimeoutSeconds: 15);

    public static IServiceCollection AddFireAndForget(this IServiceCollection services)
    {
        // Subscribed to TaskScheduler.UnobservedTaskException from startup, before any charge can be lost.
        services.AddSingleton<UnobservedTasks>();
        services.AddHostedService(sp => sp.GetRequiredService<UnobservedTasks>());
        services.AddLabCounters<FireAndForgetCounters>();
        services.AddSingleton<ChargeJobs>();
        services.AddSingleton<ChargeQueue>();
        services.AddHostedService<ChargeWorker>();
        return services;
    }

    public static async Task<Results<Accepted<Observation<ChargeAccepted, DispatchEvidence>>, ProblemHttpResult>> Good(
        [AsParameters] ChargeKnobs knobs, ChargeQueue queue, FireAndForgetCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var work = new ChargeWork(Guid.NewGuid(), knobs);
        if (!await queue.TryEnqueueAsync(work, ct))
            return QueueFull(counters.Good);
        counters.Good.Accepted();
        var statusUrl = $"/pitfalls/{Id}/jobs/{work.ChargeId}";
        var accepted = new ChargeAccepted(work.ChargeId, statusUrl, IfItFails: "its job record says failed, with the error, and the log says so with the job id");
        return TypedResults.Accepted(statusUrl, watch.Finish(accepted, Evidence($"bounded Channel ({ChargeQueue.Capacity}) read by a BackgroundService", queue.Depth, counters.Good, counters)));
    }

    public static Accepted<Observation<ChargeAccepted, DispatchEvidence>> Bad(
        [AsParameters] ChargeKnobs knobs, BackendClient backend, SandboxPools pools, FireAndForgetCounters counters)
    {
        using var watch = Watch.Start(Id, "bad");
        var work = new ChargeWork(Guid.NewGuid(), knobs);
        // `_ =` is a pragma in disguise: it silences CS4014 and VSTHRD110, the two rules that flag a Task nobody observes.
        _ = Task.Run(() => Charge.RunAsync(work, backend, pools.For(Id, "bad", BadPool), counters.Bad, CancellationToken.None));
        counters.Bad.Accepted();
        string? statusUrl = null;
        var accepted = new ChargeAccepted(work.ChargeId, statusUrl, IfItFails: "nobody: no job record, no log line; at best an UnobservedTaskException after some later GC");
        return TypedResults.Accepted(statusUrl, watch.Finish(accepted, Evidence("_ = Task.Run(charge)", null, counters.Bad, counters)));
    }

    public static async Task<Results<Ok<JobRecord>, ProblemHttpResult>> Job(
        [Description("The chargeId of a 202 (good's Location header points here).")] Guid id, ChargeJobs jobs, CancellationToken ct) =>
        await jobs.FindAsync(id, ct) is { } job
            ? TypedResults.Ok(job)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such job",
                detail: $"No {Id} job has the id {id}. A chargeId from /bad never has one: nothing recorded that work, so nothing can tell whether it failed.");

    public static Ok<Observation<CollectResult, CollectEvidence>> Collect(FireAndForgetCounters counters)
    {
        using var watch = Watch.Start(Id, "collect");
        var before = counters.Unobserved.Figures();
        // A faulted, unobserved Task reports only from its finalizer: collect, let finalizers run, collect what they freed.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gcMs = watch.Lap();
        var after = counters.Unobserved.Figures();
        var evidence = new CollectEvidence(gcMs, after.FromThisPitfall - before.FromThisPitfall, counters.Bad.Figures());
        return TypedResults.Ok(watch.Finish(new CollectResult(before, after), evidence));
    }

    private static DispatchEvidence Evidence(string dispatch, int? queueDepth, ChargeTally tally, FireAndForgetCounters counters) =>
        new(dispatch, queueDepth, tally.Figures(), counters.Unobserved.Figures().FromThisPitfall);

    private static ProblemHttpResult QueueFull(ChargeTally tally)
    {
        tally.Rejected();
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Charge queue full",
            detail: $"{ChargeQueue.Capacity} charges are already waiting. Nothing was accepted and no job was recorded: retry later.");
    }
}

using System.Diagnostics;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.BlockingIo;
using PitfallLab.Api.Pitfalls.SyncOverAsync.Guardrails;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// Pitfall 6: blocking on async code. One async job (look the user up in the backend, then sum their orders in
/// PostgreSQL), awaited by good, blocked on by bad, and blocked on from a UI-like thread by deadlock.
/// </summary>
public static class SyncOverAsyncApi
{
    private const string Id = SyncOverAsyncPitfall.Id;
    private static readonly PoolShape Pool = new(MaxPoolSize: 30, TimeoutSeconds: 15);
    private static readonly PoolShape DeadlockPool = new(MaxPoolSize: 5, TimeoutSeconds: 5);

    public static async Task<Ok<Observation<UserOrders, IoEvidence>>> Good(
        [AsParameters] BlockingIoKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var job = await JobAsync(backend, pools.For(Id, "good", Pool), knobs, ct);
        return TypedResults.Ok(watch.Finish(job.UserOrders, job.Timings));
    }

    public static Ok<Observation<UserOrders, IoEvidence>> Bad(
        [AsParameters] BlockingIoKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
#pragma warning disable VSTHRD002 // a synchronous wait on a Task: this thread is held until the IO completes (and deadlocks under a single-threaded context)
        var job = JobAsync(backend, pools.For(Id, "bad", Pool), knobs, ct).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        return TypedResults.Ok(watch.Finish(job.UserOrders, job.Timings));
    }

    /// <summary>bad's line and good's, each run on a dedicated thread as a UI event handler would run it.</summary>
    public static async Task<Ok<Observation<DeadlockResult, DeadlockEvidence>>> Deadlock(
        [AsParameters] BlockingIoKnobs knobs, [AsParameters] DeadlockBound bound, SandboxPools pools, BackendClient backend, LabMetricsListener metrics, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "deadlock");
        var ui = new UiThreads(bound.Bound, metrics, ct); // the lab's guardrail: a bounded wait, a rescue, no thread left behind

#pragma warning disable VSTHRD002 // a synchronous wait on a Task, on a thread whose SynchronizationContext is single-threaded: the deadlock
        TimedUserOrders BlockOnJob(CancellationToken job) => JobAsync(backend, pools.For(Id, "deadlock", DeadlockPool), knobs, job).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        async Task<TimedUserOrders> AwaitJobAsync(CancellationToken job) => await JobAsync(backend, pools.For(Id, "deadlock", DeadlockPool), knobs, job);

        var (blocked, rescuedJob) = await ui.RunAsync(UiThreadMode.BlockedOnUiThread, BlockOnJob);
        var (noContext, _) = await ui.RunAsync(UiThreadMode.BlockedWithoutContext, BlockOnJob);
        var (awaited, _) = await ui.RunAsync(UiThreadMode.AwaitedOnUiThread, AwaitJobAsync);

        var (result, evidence) = ui.Report(blocked, rescuedJob?.UserOrders, noContext, awaited);
        return TypedResults.Ok(watch.Finish(result, evidence));
    }

    /// <summary>The job, written async as any library would write it: no thread is held while its IO is in flight.</summary>
    public static async Task<TimedUserOrders> JobAsync(BackendClient backend, NpgsqlDataSource db, BlockingIoKnobs knobs, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var user = await backend.GetUserAsync(knobs.UserId, knobs.Call, ct);
        var backendMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await using var conn = await db.OpenConnectionAsync(ct);
        var orders = await conn.QuerySingleAsync<OrderSummary>(new CommandDefinition(BlockingIoApi.OrdersSql, new { knobs.UserId }, cancellationToken: ct));
        var databaseMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds - backendMs;
        return new(new UserOrders(user, orders), new IoEvidence(Math.Round(backendMs, 1), Math.Round(databaseMs, 1)));
    }
}

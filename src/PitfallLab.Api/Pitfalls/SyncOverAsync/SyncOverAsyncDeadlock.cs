using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Lab;
using PitfallLab.Api.Pitfalls.BlockingIo;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// The classic deadlock, made safe to click: bad's blocking line runs on a dedicated UI-like thread, the request
/// waits for it with a bound, reports what it saw, and rescues the thread before answering.
/// </summary>
public static class SyncOverAsyncDeadlock
{
    private const string Id = SyncOverAsyncPitfall.Id;
    private static readonly PoolShape Pool = new(MaxPoolSize: 5, TimeoutSeconds: 5);

    public static async Task<Ok<Observation<DeadlockResult, DeadlockEvidence>>> Deadlock(
        [AsParameters] BlockingIoKnobs knobs, [AsParameters] DeadlockBound bound, SandboxPools pools, BackendClient backend, SyncOverAsyncCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "deadlock");
        var threadsBefore = ProcessThreads();
        Task<TimedUserOrders> Awaiting(CancellationToken job) => SyncOverAsyncApi.JobAsync(backend, pools.For(Id, "deadlock", Pool), knobs, job);
        Task<TimedUserOrders> Blocking(CancellationToken job) => Task.FromResult(BlockOn(Awaiting, job));

        var (blocked, rescuedJob) = await UiThread.RunAsync(Blocking, UiThreadMode.BlockedOnUiThread, bound.Bound, counters, ct);
        ct.ThrowIfCancellationRequested();
        var (noContext, _) = await UiThread.RunAsync(Blocking, UiThreadMode.BlockedWithoutContext, bound.Bound, counters, ct);
        var (awaited, _) = await UiThread.RunAsync(Awaiting, UiThreadMode.AwaitedOnUiThread, bound.Bound, counters, ct);
        ct.ThrowIfCancellationRequested();

        var evidence = new DeadlockEvidence(blocked, noContext, awaited, threadsBefore, ProcessThreads(), counters.UiThreadsAlive);
        var result = new DeadlockResult(blocked.Deadlocked, Verdict(evidence), rescuedJob?.UserOrders);
        return TypedResults.Ok(watch.Finish(result, evidence));
    }

    // bad's line, as a UI event handler would run it.
#pragma warning disable VSTHRD002 // a synchronous wait on a Task, on a thread whose SynchronizationContext is single-threaded: the deadlock
    private static T BlockOn<T>(Func<CancellationToken, Task<T>> job, CancellationToken ct) => job(ct).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002

    private static string Verdict(DeadlockEvidence e)
    {
        var (blocked, noContext, awaited) = (e.BlockedOnUiThread, e.BlockedWithoutContext, e.AwaitedOnUiThread);
        var contrast = string.Create(CultureInfo.InvariantCulture,
            $"The same blocking call without a SynchronizationContext finished in {noContext.JobFinishedAtMs} ms; awaited on the UI thread, in {awaited.JobFinishedAtMs} ms.");
        return blocked.Deadlocked
            ? string.Create(CultureInfo.InvariantCulture,
                $"Deadlock: the backend answered and the job's continuation was posted to the UI thread at {blocked.FirstCallbackPostedAtMs} ms, but that thread was blocked waiting for the job; when the request stopped waiting, at {blocked.WaitedMs} ms, {blocked.CallbacksStuck} callback(s) still waited for it. Rescued: the thread exited at {blocked.JobFinishedAtMs} ms. {contrast}")
            : string.Create(CultureInfo.InvariantCulture,
                $"No deadlock this time: the blocked thread finished after {blocked.JobFinishedAtMs} ms (error: {blocked.Error ?? "none"}). {contrast}");
    }

    private static int ProcessThreads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}

using System.Diagnostics;
using PitfallLab.Api.Pitfalls.BlockingIo;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync.Guardrails;

/// <summary>
/// One deadlock request's UI-like threads: each run gets a dedicated, non-pool thread whose message loop is a
/// <see cref="RescuableContext"/>. The request waits for it with a bound, then rescues it and waits (bounded again) for
/// it to exit before answering, so a deadlock demo leaves no thread behind; if one ever outlived its request,
/// <c>threadExited</c> and <c>uiThreadsAlive</c> would say so.
/// </summary>
public sealed class UiThreads(TimeSpan bound, LabMetricsListener metrics, CancellationToken aborted)
{
    private const string Variant = "deadlock";
    private static readonly PitfallMetrics Metrics = new(SyncOverAsyncPitfall.Id);
    private static readonly LabGauge Alive = Metrics.Gauge("uiThreadsAlive", "Dedicated UI-like threads alive now; 0 when no deadlock request is in flight");
    private static readonly LabCounter Runs = Metrics.Counter("runs", "Runs of the job on a dedicated UI-like thread");
    private static readonly LabCounter Deadlocks = Metrics.Counter("deadlocksReported", "Runs that deadlocked and said so");
    private static readonly LabCounter Rescued = Metrics.Counter("rescued", "Deadlocked threads the lab rescued");
    private static readonly LabCounter ClientAborts = Metrics.Counter("clientAborts", "Runs whose client left before the answer");

    // After the rescue the job still has its own IO to finish; then, if need be, it is cancelled.
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(5);

    private readonly int processThreadsBefore = DeadlockReport.ProcessThreads();

    /// <summary>Runs a synchronous call (bad's line) as the thread's first message.</summary>
    public Task<(UiThreadRun Run, T? Value)> RunAsync<T>(UiThreadMode mode, Func<CancellationToken, T> call) =>
        RunAsync(mode, job => Task.FromResult(call(job)));

    /// <summary>Runs an async call (good's line) as the thread's first message; its loop runs the continuations.</summary>
    public async Task<(UiThreadRun Run, T? Value)> RunAsync<T>(UiThreadMode mode, Func<CancellationToken, Task<T>> call)
    {
        aborted.ThrowIfCancellationRequested(); // a client that left gets no further runs
        var context = new RescuableContext();
        var finished = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var giveUp = new CancellationTokenSource();
        var jobToken = giveUp.Token;
        var started = Stopwatch.GetTimestamp();
        double? jobFinishedAtMs = null;

        var thread = new Thread(() =>
        {
            Alive.Add(Variant, 1);
            try { finished.TrySetFromTask(context.RunAsOwner(() => call(jobToken), mode.InstallsContext)); }
            catch (Exception ex) { finished.TrySetException(ex); } // an exception escaping a thread would kill the process
            finally
            {
                jobFinishedAtMs = Ms(started);
                Alive.Add(Variant, -1);
                exited.TrySetResult();
            }
        }) { IsBackground = true, Name = "sync-over-async ui" };
        thread.Start();

        // The bounded wait. A client that leaves ends it early; the rescue below runs either way.
        await ((Task)finished.Task).WaitAsync(bound, aborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Not done yet, and not (yet) provably deadlocked: a thread blocked with nothing queued has its IO in flight, and
        // the deadlock begins when the continuation arrives; any other thread is just slow. Give either time to show it.
        if (!finished.Task.IsCompleted && !(context.InEntry && context.Pending > 0))
        {
            Task outcome = context.InEntry ? Task.WhenAny(finished.Task, context.FirstPost) : finished.Task;
            await outcome.WaitAsync(ExitBound, aborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var waitedMs = Ms(started);

        // Deadlocked: the thread is still inside the blocking call while the continuation it waits for waits for it.
        var deadlocked = !finished.Task.IsCompleted && context.InEntry && context.Pending > 0;
        var stuck = finished.Task.IsCompleted ? 0 : context.Rescue();

        var threadExited = await ExitedAsync(exited.Task) || await CancelAndExitedAsync(giveUp, exited.Task);
        threadExited = threadExited && thread.Join(TimeSpan.FromSeconds(1));

        Count(deadlocked, rescued: stuck > 0);
        var value = finished.Task.IsCompletedSuccessfully ? await finished.Task : default;
        var run = new UiThreadRun(
            mode.ContextName, mode.Call, deadlocked, waitedMs, context.FirstPostAtMs, stuck, context.RanOnOwner,
            Rescued: stuck > 0, threadExited ? jobFinishedAtMs : null, threadExited, DeadlockReport.ErrorOf(finished.Task));
        return (run, value);
    }

    /// <summary>The answer: the verdict, the rescued job, and the three runs beside the process's thread counts.</summary>
    public (DeadlockResult Result, DeadlockEvidence Evidence) Report(UiThreadRun blocked, UserOrders? rescuedJob, UiThreadRun noContext, UiThreadRun awaited)
    {
        aborted.ThrowIfCancellationRequested();
        var evidence = new DeadlockEvidence(blocked, noContext, awaited, processThreadsBefore, DeadlockReport.ProcessThreads(),
            (int)metrics.Value(Alive, Variant));
        return (new DeadlockResult(blocked.Deadlocked, DeadlockReport.Verdict(evidence), rescuedJob), evidence);
    }

    private void Count(bool deadlocked, bool rescued)
    {
        Runs.Add(Variant);
        if (deadlocked) Deadlocks.Add(Variant);
        if (rescued) Rescued.Add(Variant);
        if (aborted.IsCancellationRequested) ClientAborts.Add(Variant);
    }

    private static async Task<bool> ExitedAsync(Task exited)
    {
        await exited.WaitAsync(ExitBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return exited.IsCompleted;
    }

    private static async Task<bool> CancelAndExitedAsync(CancellationTokenSource giveUp, Task exited)
    {
        await giveUp.CancelAsync();
        return await ExitedAsync(exited);
    }

    private static double Ms(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}

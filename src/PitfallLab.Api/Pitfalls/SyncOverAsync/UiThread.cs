using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// Runs code on a dedicated, non-pool thread that behaves like a UI thread: a message loop over a
/// <see cref="SingleThreadContext"/>. The request waits for it with a bound, then rescues it and waits (bounded
/// again) for it to exit before answering, so a deadlock demo leaves no thread behind; if one ever outlived its
/// request, <c>threadExited</c> and <c>uiThreadsAlive</c> would say so.
/// </summary>
public static class UiThread
{
    // After the rescue the job still has its own IO to finish; then, if need be, it is cancelled.
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(5);

    public static async Task<(UiThreadRun Run, T? Value)> RunAsync<T>(
        Func<CancellationToken, Task<T>> entry, UiThreadMode mode, TimeSpan bound, SyncOverAsyncCounters counters, CancellationToken ct)
    {
        var context = new SingleThreadContext();
        var finished = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var giveUp = new CancellationTokenSource();
        var jobToken = giveUp.Token;
        var started = Stopwatch.GetTimestamp();
        double? jobFinishedAtMs = null;

        var thread = new Thread(() =>
        {
            counters.ThreadStarted();
            try { finished.TrySetFromTask(context.Run(() => entry(jobToken), mode.InstallsContext)); }
            catch (Exception ex) { finished.TrySetException(ex); } // an exception escaping a thread would kill the process
            finally
            {
                jobFinishedAtMs = Ms(started);
                counters.ThreadExited();
                exited.TrySetResult();
            }
        }) { IsBackground = true, Name = "sync-over-async ui" };
        thread.Start();

        // The bounded wait. A client that leaves ends it early; the rescue below runs either way.
        await ((Task)finished.Task).WaitAsync(bound, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Not done yet, and not (yet) provably deadlocked: a thread blocked with nothing queued has its IO in flight, and
        // the deadlock begins when the continuation arrives; any other thread is just slow. Give either time to show it.
        if (!finished.Task.IsCompleted && !(context.InEntry && context.Pending > 0))
        {
            Task outcome = context.InEntry ? Task.WhenAny(finished.Task, context.FirstPost) : finished.Task;
            await outcome.WaitAsync(ExitBound, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var waitedMs = Ms(started);

        // Deadlocked: the thread is still inside the blocking call while the continuation it waits for waits for it.
        var deadlocked = !finished.Task.IsCompleted && context.InEntry && context.Pending > 0;
        var stuck = finished.Task.IsCompleted ? 0 : context.Rescue();

        var threadExited = await ExitedAsync(exited.Task) || await CancelAndExitedAsync(giveUp, exited.Task);
        threadExited = threadExited && thread.Join(TimeSpan.FromSeconds(1));

        counters.Finished(deadlocked, rescued: stuck > 0, aborted: ct.IsCancellationRequested);
        var value = finished.Task.IsCompletedSuccessfully ? await finished.Task : default;
        var run = new UiThreadRun(
            mode.ContextName, mode.Call, deadlocked, waitedMs, context.FirstPostAtMs, stuck, context.RanOnOwner,
            Rescued: stuck > 0, threadExited ? jobFinishedAtMs : null, threadExited, ErrorOf(finished.Task));
        return (run, value);
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

    private static string? ErrorOf(Task task) => task.Status switch
    {
        TaskStatus.RanToCompletion => null,
        TaskStatus.Faulted => task.Exception!.GetBaseException().Message,
        TaskStatus.Canceled => "the job was cancelled",
        _ => "the job had not finished when the thread was given up",
    };

    private static double Ms(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}

/// <summary>Which kind of thread, and which call on it, a run shows.</summary>
public sealed record UiThreadMode(string ContextName, string Call, bool InstallsContext)
{
    public static UiThreadMode BlockedOnUiThread { get; } =
        new("single-threaded (a UI thread's)", "job.GetAwaiter().GetResult()", InstallsContext: true);

    public static UiThreadMode BlockedWithoutContext { get; } =
        new("none (ASP.NET Core's, a console app's)", "job.GetAwaiter().GetResult()", InstallsContext: false);

    public static UiThreadMode AwaitedOnUiThread { get; } =
        new("single-threaded (a UI thread's)", "await job", InstallsContext: true);
}

using System.Diagnostics;
using System.Globalization;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync.Guardrails;

/// <summary>What the deadlock variant says about its runs: the verdict in one sentence, errors, thread counts.</summary>
public static class DeadlockReport
{
    public static string Verdict(DeadlockEvidence e)
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

    public static string? ErrorOf(Task task) => task.Status switch
    {
        TaskStatus.RanToCompletion => null,
        TaskStatus.Faulted => task.Exception!.GetBaseException().Message,
        TaskStatus.Canceled => "the job was cancelled",
        _ => "the job had not finished when the thread was given up",
    };

    public static int ProcessThreads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
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

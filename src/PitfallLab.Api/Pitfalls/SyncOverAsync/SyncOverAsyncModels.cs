using System.ComponentModel;
using PitfallLab.Api.Pitfalls.BlockingIo;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

// Every variant takes blocking-io's knobs (userId, delayMs) and answers its records: the same job, blocked on instead.

/// <summary>The deadlock variant's own knob: how long the request waits for the blocked thread.</summary>
public sealed record DeadlockBound(
    [property: Knob(200, 10000, "How long the request waits for the blocked thread before it calls it a deadlock and rescues it, in ms. A backend slower than that is waited for too: the deadlock begins when its answer arrives.")] int BoundMs = 2000)
{
    public TimeSpan Bound => TimeSpan.FromMilliseconds(BoundMs);
}

/// <summary>The job's result with how long each of its IOs took.</summary>
public sealed record TimedUserOrders(UserOrders UserOrders, IoEvidence Timings);

/// <summary>The verdict in one sentence, and what the deadlocked job produced once the lab rescued its thread.</summary>
public sealed record DeadlockResult(bool Deadlocked, string Verdict, UserOrders? RescuedJob);

/// <summary>The same job run three ways on a dedicated thread: the deadlock, and the two contrasts that finish.</summary>
public sealed record DeadlockEvidence(
    [property: Description("job.GetAwaiter().GetResult() on a thread whose SynchronizationContext is single-threaded, as a UI thread's is.")]
    UiThreadRun BlockedOnUiThread,
    [property: Description("The very same blocking call on a thread without a SynchronizationContext (ASP.NET Core's case): no deadlock.")]
    UiThreadRun BlockedWithoutContext,
    [property: Description("await job on the same kind of UI thread: its continuations queue up and the thread's loop runs them. No deadlock.")]
    UiThreadRun AwaitedOnUiThread,
    int ProcessThreadsBefore,
    int ProcessThreadsAfter,
    [property: Description("The lab's dedicated threads still alive after this request; 0 means none stayed blocked.")]
    int UiThreadsAlive);

/// <summary>One run of the job on a dedicated (non-pool) thread.</summary>
public sealed record UiThreadRun(
    string SynchronizationContext,
    string Call,
    [property: Description("When the request stopped waiting, the thread was still inside the blocking call with the job's continuation queued for it.")]
    bool Deadlocked,
    [property: Description("How long the request waited before rescuing the thread: boundMs, or until the backend answered if that came later (the deadlock begins then).")]
    double WaitedMs,
    [property: Description("When the job's first continuation was posted to the thread's context (ms after the thread started); null without a context.")]
    double? FirstCallbackPostedAtMs,
    [property: Description("Callbacks queued for the blocked thread when the request stopped waiting: the work it waits for, waiting for it.")]
    int CallbacksStuck,
    [property: Description("Callbacks the thread's own message loop ran: the awaited job's continuations, when the thread is free to run them.")]
    int CallbacksRunOnThread,
    [property: Description("The lab moved the stuck callbacks to the thread pool, so the job, and then the blocked thread, could finish.")]
    bool Rescued,
    [property: Description("When the thread was done with the job (ms after it started); after a rescue, that is after the bound.")]
    double? JobFinishedAtMs,
    bool ThreadExited,
    string? Error);

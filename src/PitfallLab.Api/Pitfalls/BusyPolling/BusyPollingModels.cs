using System.ComponentModel;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>The knobs: how long the background job takes, and how long the request is willing to wait for it.</summary>
public sealed record BusyPollingKnobs(
    [property: Knob(0, 10000, "How long the background worker takes to finish the job, in ms. 300 ms is long enough for hundreds of polls; 0 finishes it before the good waiter even listens (the lost-wakeup case).")] int JobMs = 300,
    [property: Knob(100, 30000, "The most the request waits for the job, in ms: neither waiter can wait forever.")] int TimeoutMs = 5000)
{
    public TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMs);
}

/// <summary>The job's row as the waiter read it; <c>NoticedAfterMs</c> is PostgreSQL's clock at the read minus <c>completed_at</c>.</summary>
public sealed record JobRow(string Status, double? NoticedAfterMs)
{
    public bool Finished => Status is "done" or "failed";
}

/// <summary>The job's result: which job, how long it was meant to take, the status the waiter last saw, and whether it gave up.</summary>
public sealed record JobOutcome(Guid JobId, int JobMs, string Status, bool TimedOut);

/// <summary>What waiting cost and how quickly it noticed the job was done.</summary>
public sealed record WaitEvidence(
    [property: Description("Database commands this waiter sent while waiting (good: its LISTEN included, the UNLISTEN after the wait not).")]
    int QueriesWhileWaiting,
    [property: Description("PostgreSQL's clock when the waiter's read saw the job done, minus completed_at (same clock): how late it noticed. Null if it never did.")]
    double? NoticedAfterMs,
    [property: Description("From the job's start to the end of the wait, in ms.")]
    double WaitedMs,
    [property: Description("CPU time the whole API process used during this wait, in ms (process-wide: concurrent requests, and the JIT in the first requests after a start, add to it).")]
    double ProcessCpuMs,
    [property: Description("Thread-pool work items the whole process completed during this wait (process-wide): each Task.Yield adds one.")]
    long ProcessThreadPoolWorkItems);

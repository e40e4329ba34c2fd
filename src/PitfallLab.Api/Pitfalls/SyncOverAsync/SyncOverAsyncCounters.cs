using PitfallLab.Api.Lab;
using PitfallLab.Api.Lab.Guardrails;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// What /lab/stats shows under <c>pitfalls.sync-over-async</c>: bad requests blocking a thread now and waiting their
/// turn (the guardrail), and the deadlock variant's totals: every deadlock reported was rescued, and no dedicated
/// thread outlives its request (<c>uiThreadsAlive</c> is 0 whenever no deadlock request is in flight).
/// </summary>
public sealed class SyncOverAsyncCounters(ThreadGates gates) : ILabCounters
{
    private long started, runs, deadlocks, rescued, clientAborts;
    private int alive;

    public string Pitfall => SyncOverAsyncPitfall.Id;

    public int UiThreadsAlive => Volatile.Read(ref alive);

    public void ThreadStarted()
    {
        Interlocked.Increment(ref started);
        Interlocked.Increment(ref alive);
    }

    public void ThreadExited() => Interlocked.Decrement(ref alive);

    public void Finished(bool deadlocked, bool rescued, bool aborted)
    {
        Interlocked.Increment(ref runs);
        if (deadlocked) Interlocked.Increment(ref deadlocks);
        if (rescued) Interlocked.Increment(ref this.rescued);
        if (aborted) Interlocked.Increment(ref clientAborts);
    }

    public object Snapshot()
    {
        var gate = gates.For($"{SyncOverAsyncPitfall.Id}/bad").Figures();
        return new
        {
            badBlockingNow = gate.Blocking,
            badWaitingForTurn = gate.Waiting,
            maxBlockedRequests = gate.Max,
            uiThreadsStarted = Interlocked.Read(ref started),
            uiThreadsAlive = UiThreadsAlive,
            runs = Interlocked.Read(ref runs),
            deadlocksReported = Interlocked.Read(ref deadlocks),
            rescued = Interlocked.Read(ref rescued),
            clientAborts = Interlocked.Read(ref clientAborts),
        };
    }

    // Threads alive are a fact, not a total: reset leaves them as they are.
    public void Reset()
    {
        Interlocked.Exchange(ref started, 0);
        Interlocked.Exchange(ref runs, 0);
        Interlocked.Exchange(ref deadlocks, 0);
        Interlocked.Exchange(ref rescued, 0);
        Interlocked.Exchange(ref clientAborts, 0);
    }
}

using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync.Guardrails;

/// <summary>
/// The lesson's <see cref="SingleThreadContext"/> with what makes its deadlock safe to show and measurable: when the
/// first callback was queued, whether the owner thread is still inside its entry (blocked), how many callbacks the
/// owner ran itself, and <see cref="Rescue"/>, the lab's way out, which no real UI thread has.
/// </summary>
public sealed class RescuableContext : SingleThreadContext
{
    private readonly Lock gate = new();
    private readonly long created = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource firstPost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool rescued;
    private double? firstPostAtMs;
    private int ranOnOwner;
    private volatile bool inEntry;
    private Thread? owner;

    public int RanOnOwner => Volatile.Read(ref ranOnOwner);

    /// <summary>When the first callback was queued, in ms since the context was created.</summary>
    public double? FirstPostAtMs { get { lock (gate) return firstPostAtMs; } }

    /// <summary>Completes when the first callback is posted.</summary>
    public Task FirstPost => firstPost.Task;

    /// <summary>The owner thread is still inside the entry message: it cannot run anything posted to it.</summary>
    public bool InEntry => inEntry;

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (gate)
        {
            firstPostAtMs ??= Math.Round(Stopwatch.GetElapsedTime(created).TotalMilliseconds, 1);
            firstPost.TrySetResult();
            if (!rescued)
            {
                base.Post(s => { d(s); if (Thread.CurrentThread == owner) Interlocked.Increment(ref ranOnOwner); }, state);
                return;
            }
        }
        ThreadPool.QueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
    }

    /// <summary>The message loop on the calling thread, which becomes the owner: <see cref="SingleThreadContext.Run{T}"/>, watched.</summary>
    public Task<T> RunAsOwner<T>(Func<Task<T>> entry, bool install)
    {
        owner = Thread.CurrentThread;
        return Run(() =>
        {
            inEntry = true;
            try { return entry(); }
            finally { inEntry = false; }
        }, install);
    }

    /// <summary>
    /// From now on every queued and future callback runs on the thread pool, so whatever the owner thread is blocked on
    /// can complete. Answers how many callbacks were stuck in the queue.
    /// </summary>
    public int Rescue()
    {
        List<(SendOrPostCallback Callback, object? State)> stuck;
        lock (gate)
        {
            rescued = true;
            stuck = TakeQueued();
        }
        foreach (var (callback, state) in stuck)
            ThreadPool.QueueUserWorkItem(static s => s.callback(s.state), (callback, state), preferLocal: false);
        return stuck.Count;
    }
}

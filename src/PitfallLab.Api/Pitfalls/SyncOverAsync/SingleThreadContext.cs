using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// What a UI thread (WinForms, WPF) or classic ASP.NET gives its code: a SynchronizationContext whose Post() queues
/// the callback for one owner thread, which runs it when its message loop gets to it. An <c>await</c> on that thread
/// captures the context, so the continuation waits in this queue: if the owner thread is blocked waiting for that very
/// continuation, nothing ever runs it. <see cref="Rescue"/> is the lab's way out, not part of the pattern.
/// </summary>
public sealed class SingleThreadContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> queue = new();
    private readonly long created = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource firstPost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool rescued;
    private int ranOnOwner;
    private double? firstPostAtMs;
    private volatile bool inEntry;

    /// <summary>Callbacks waiting for the owner thread right now.</summary>
    public int Pending { get { lock (queue) return queue.Count; } }

    public int RanOnOwner => Volatile.Read(ref ranOnOwner);

    /// <summary>When the first callback was queued, in ms since the context was created.</summary>
    public double? FirstPostAtMs { get { lock (queue) return firstPostAtMs; } }

    /// <summary>Completes when the first callback is posted.</summary>
    public Task FirstPost => firstPost.Task;

    /// <summary>The owner thread is still inside the entry message: it cannot run anything posted to it.</summary>
    public bool InEntry => inEntry;

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (queue)
        {
            firstPostAtMs ??= Math.Round(Stopwatch.GetElapsedTime(created).TotalMilliseconds, 1);
            firstPost.TrySetResult();
            if (!rescued)
            {
                queue.Enqueue((d, state));
                Monitor.PulseAll(queue);
                return;
            }
        }
        ThreadPool.QueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
    }

    // Send() would run the callback on the owner thread and wait for it: the same deadlock, by another road.
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("The lab's UI thread only takes posted callbacks.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// The owner thread's message loop: runs <paramref name="entry"/> as the first message (with this context installed
    /// when <paramref name="install"/>), then every posted callback, until the task the entry returned has completed.
    /// </summary>
    public Task<T> Run<T>(Func<Task<T>> entry, bool install)
    {
        var previous = Current;
        if (install) SetSynchronizationContext(this);
        try
        {
            inEntry = true;
            Task<T> task;
            try { task = entry(); }
            finally { inEntry = false; }
            // Wake the loop when the task completes, even if no callback is ever posted.
            _ = task.ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (Next(task) is { } message)
            {
                message.Callback(message.State);
                Interlocked.Increment(ref ranOnOwner);
            }
            return task;
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>
    /// From now on every queued and future callback runs on the thread pool, so whatever the owner thread is blocked on
    /// can complete. Answers how many callbacks were stuck in the queue.
    /// </summary>
    public int Rescue()
    {
        List<(SendOrPostCallback Callback, object? State)> stuck;
        lock (queue)
        {
            rescued = true;
            stuck = [.. queue];
            queue.Clear();
            Monitor.PulseAll(queue);
        }
        foreach (var (callback, state) in stuck)
            ThreadPool.QueueUserWorkItem(static s => s.callback(s.state), (callback, state), preferLocal: false);
        return stuck.Count;
    }

    private (SendOrPostCallback Callback, object? State)? Next(Task until)
    {
        lock (queue)
        {
            while (queue.Count == 0 && !until.IsCompleted)
                Monitor.Wait(queue);
            return queue.Count > 0 ? queue.Dequeue() : null;
        }
    }

    private void Wake()
    {
        lock (queue) Monitor.PulseAll(queue);
    }
}

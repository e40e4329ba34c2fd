namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>
/// What a UI thread (WinForms, WPF) or classic ASP.NET gives its code: a SynchronizationContext whose Post() queues
/// the callback for one owner thread, which runs it when its message loop gets to it. An <c>await</c> on that thread
/// captures the context, so the continuation waits in this queue: if the owner thread is blocked waiting for that very
/// continuation, nothing ever runs it. The lab's way out (the rescue) is <c>Guardrails/RescuableContext.cs</c>.
/// </summary>
public class SingleThreadContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> queue = new();

    /// <summary>Callbacks waiting for the owner thread right now.</summary>
    public int Pending { get { lock (queue) return queue.Count; } }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (queue)
        {
            queue.Enqueue((d, state));
            Monitor.PulseAll(queue);
        }
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
            var task = entry();
            // Wake the loop when the task completes, even if no callback is ever posted.
            _ = task.ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (Next(task) is { } message)
                message.Callback(message.State);
            return task;
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Takes every queued callback away from the owner thread: whoever calls this runs them elsewhere.</summary>
    protected List<(SendOrPostCallback Callback, object? State)> TakeQueued()
    {
        lock (queue)
        {
            List<(SendOrPostCallback Callback, object? State)> taken = [.. queue];
            queue.Clear();
            Monitor.PulseAll(queue);
            return taken;
        }
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

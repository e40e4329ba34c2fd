using System.Runtime.CompilerServices;

namespace PitfallLab.Api.Lab.Live;

/// <summary>The newest frame, serialized once, with its sequence number.</summary>
public sealed record LiveFrameBytes(long Seq, byte[] Json);

/// <summary>
/// Hands the sampler's newest frame to every reader. Two ways to wait for the next one: blocking
/// (<see cref="WaitNewer"/>, for the listener's dedicated threads) and awaiting (<see cref="ReadAllAsync"/>, for
/// Kestrel's SSE endpoint, whose continuations need the thread pool: that is the comparison the README makes).
/// A slow reader skips frames instead of queueing them.
/// </summary>
public sealed class LiveFeed
{
    private readonly object gate = new();
    private LiveFrameBytes? latest;
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveFrameBytes? Latest => Volatile.Read(ref latest);

    public void Publish(LiveFrameBytes frame)
    {
        TaskCompletionSource published;
        lock (gate)
        {
            latest = frame;
            published = next;
            next = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Monitor.PulseAll(gate);
        }
        published.TrySetResult();
    }

    /// <summary>Blocks this thread until a frame newer than <paramref name="seq"/> exists, or null after <paramref name="timeout"/>.</summary>
    public LiveFrameBytes? WaitNewer(long seq, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (gate)
        {
            while (latest is null || latest.Seq <= seq)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(gate, left)) return null;
            }
            return latest;
        }
    }

    public async IAsyncEnumerable<LiveFrameBytes> ReadAllAsync([EnumeratorCancellation] CancellationToken ct)
    {
        long seen = 0;
        while (!ct.IsCancellationRequested)
        {
            LiveFrameBytes? frame;
            Task wait;
            lock (gate)
            {
                frame = latest is { } f && f.Seq > seen ? f : null;
                wait = next.Task;
            }
            if (frame is null) { await wait.WaitAsync(ct); continue; }
            seen = frame.Seq;
            yield return frame;
        }
    }
}

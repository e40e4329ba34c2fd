using System.Diagnostics;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// How long a work item waits for a thread-pool thread, measured from a dedicated thread (not the pool): queue one,
/// wait for it to run, repeat every 100 ms. While the pool starves the item waits, and <see cref="Ms"/> reports the
/// wait so far, so the figure climbs as it happens instead of arriving after the starvation ends.
/// </summary>
public sealed class PoolProbe : IDisposable
{
    private readonly Thread thread;
    private readonly CancellationTokenSource stop = new();
    private long queuedAt;        // Stopwatch timestamp of the item in the queue now, 0 when none waits
    private double lastMs;

    public PoolProbe()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "live pool probe" };
        thread.Start();
    }

    /// <summary>The last measured dispatch latency, or the current item's wait if it has waited longer.</summary>
    public double Ms
    {
        get
        {
            var waiting = Interlocked.Read(ref queuedAt);
            var now = waiting == 0 ? 0 : Stopwatch.GetElapsedTime(waiting).TotalMilliseconds;
            return Math.Round(Math.Max(Volatile.Read(ref lastMs), now), 1);
        }
    }

    private void Run()
    {
        while (!stop.IsCancellationRequested)
        {
            using var ran = new ManualResetEventSlim();
            var queued = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref queuedAt, queued);
            ThreadPool.UnsafeQueueUserWorkItem(static e => e.Set(), ran, preferLocal: false);
            try { ran.Wait(stop.Token); }
            catch (OperationCanceledException) { return; }
            Volatile.Write(ref lastMs, Stopwatch.GetElapsedTime(queued).TotalMilliseconds);
            Interlocked.Exchange(ref queuedAt, 0);
            stop.Token.WaitHandle.WaitOne(100);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(1));
        stop.Dispose();
    }
}

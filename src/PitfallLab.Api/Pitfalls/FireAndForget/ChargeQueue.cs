using System.Threading.Channels;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>A charge on good's queue, and what the worker runs for it (good's handler writes that: the charge, observed).</summary>
public sealed record QueuedCharge(ChargeWork Work, Func<CancellationToken, Task> RunObservedAsync);

/// <summary>
/// Good's hand-off: a bounded channel between the handlers and <see cref="ChargeWorker"/>. Every accepted charge
/// has a job record before it is queued; a full queue refuses at once (the handler answers 503) instead of
/// accepting work it could not track or letting memory grow without bound.
/// </summary>
public sealed class ChargeQueue(ChargeJobs jobs)
{
    public const int Capacity = 100;

    private readonly Channel<QueuedCharge> channel = Channel.CreateBounded<QueuedCharge>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<QueuedCharge> Reader => channel.Reader;

    public int Depth => channel.Reader.Count;

    /// <summary>Records the job as queued, then queues it; when the queue is full, removes the record and answers false.</summary>
    public async Task<bool> TryEnqueueAsync(ChargeWork work, Func<CancellationToken, Task> runObservedAsync, CancellationToken ct)
    {
        await jobs.InsertQueuedAsync(work, ct);
        // With FullMode.Wait, TryWrite answers false instead of dropping anything: the caller learns at once.
        if (channel.Writer.TryWrite(new QueuedCharge(work, runObservedAsync)))
            return true;
        await jobs.DeleteAsync(work.ChargeId, CancellationToken.None);
        return false;
    }
}

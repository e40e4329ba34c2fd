using System.Threading.Channels;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// Good's hand-off: a bounded channel between the handlers and <see cref="ChargeWorker"/>. Every accepted charge
/// has a job record before it is queued; a full queue refuses at once (the handler answers 503) instead of
/// accepting work it could not track or letting memory grow without bound.
/// </summary>
public sealed class ChargeQueue(ChargeJobs jobs)
{
    public const int Capacity = 100;

    private readonly Channel<ChargeWork> channel = Channel.CreateBounded<ChargeWork>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<ChargeWork> Reader => channel.Reader;

    public int Depth => channel.Reader.Count;

    /// <summary>Records the job as queued, then queues it; when the queue is full, removes the record and answers false.</summary>
    public async Task<bool> TryEnqueueAsync(ChargeWork work, CancellationToken ct)
    {
        await jobs.InsertQueuedAsync(work, ct);
        // With FullMode.Wait, TryWrite answers false instead of dropping anything: the caller learns at once.
        if (channel.Writer.TryWrite(work))
            return true;
        await jobs.DeleteAsync(work.ChargeId, CancellationToken.None);
        return false;
    }
}

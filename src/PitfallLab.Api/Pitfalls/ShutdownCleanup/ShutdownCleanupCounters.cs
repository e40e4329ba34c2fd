using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup;

/// <summary>
/// Running totals per variant, under <c>pitfalls.shutdown-cleanup</c> in /lab/stats: over a k6 run, bad's jobs lost
/// and connections left add up while good's stay 0, and enqueued = completed + recordedPending holds for good.
/// </summary>
public sealed class ShutdownCleanupCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, Totals> byVariant = new();

    public string Pitfall => ShutdownCleanupPitfall.Id;

    public void Record(string variant, JobsOutcome outcome, StopEvidence stop) =>
        byVariant.GetOrAdd(variant, _ => new Totals()).Add(outcome, stop);

    public void Rejected(string variant) => byVariant.GetOrAdd(variant, _ => new Totals()).Reject();

    public object Snapshot() => byVariant.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value.Read());

    public void Reset() => byVariant.Clear();

    /// <summary>What /lab/stats shows for one variant.</summary>
    public sealed record VariantTotals(
        long Runs, long RejectedBusy, long Enqueued, long Completed, long RecordedPending, long Lost, long ConnectionsLeft, long KilledByLab);

    private sealed class Totals
    {
        private long runs, rejected, enqueued, completed, pending, lost, left, killed;

        public void Add(JobsOutcome o, StopEvidence s)
        {
            Interlocked.Increment(ref runs);
            Interlocked.Add(ref enqueued, o.Enqueued);
            Interlocked.Add(ref completed, o.Completed);
            Interlocked.Add(ref pending, o.RecordedPending);
            Interlocked.Add(ref lost, o.Lost);
            Interlocked.Add(ref left, s.ConnectionsLeft);
            if (s.KilledByLab) Interlocked.Increment(ref killed);
        }

        public void Reject() => Interlocked.Increment(ref rejected);

        public VariantTotals Read() => new(
            Interlocked.Read(ref runs), Interlocked.Read(ref rejected), Interlocked.Read(ref enqueued), Interlocked.Read(ref completed),
            Interlocked.Read(ref pending), Interlocked.Read(ref lost), Interlocked.Read(ref left), Interlocked.Read(ref killed));
    }
}

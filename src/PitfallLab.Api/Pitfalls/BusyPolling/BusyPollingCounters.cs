using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>Running totals under <c>pitfalls.busy-polling</c> in /lab/stats: what all the waits of each variant cost.</summary>
public sealed class BusyPollingCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, VariantTotals> variants = new();
    private long jobsFinished;
    private long jobsFailed;

    public string Pitfall => BusyPollingPitfall.Id;

    public void Record(string variant, WaitEvidence evidence, bool timedOut) =>
        variants.GetOrAdd(variant, _ => new VariantTotals()).Add(evidence, timedOut);

    public void JobFinished() => Interlocked.Increment(ref jobsFinished);

    public void JobFailed() => Interlocked.Increment(ref jobsFailed);

    public object Snapshot() => new
    {
        Waits = variants.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value.Snapshot()),
        JobsFinished = Interlocked.Read(ref jobsFinished),
        JobsFailed = Interlocked.Read(ref jobsFailed),
    };

    public void Reset()
    {
        variants.Clear();
        Interlocked.Exchange(ref jobsFinished, 0);
        Interlocked.Exchange(ref jobsFailed, 0);
    }

    private sealed class VariantTotals
    {
        private long waits, queries, timedOut;

        public void Add(WaitEvidence evidence, bool gaveUp)
        {
            Interlocked.Increment(ref waits);
            Interlocked.Add(ref queries, evidence.QueriesWhileWaiting);
            if (gaveUp) Interlocked.Increment(ref timedOut);
        }

        public object Snapshot()
        {
            var (w, q) = (Interlocked.Read(ref waits), Interlocked.Read(ref queries));
            return new { Waits = w, Queries = q, QueriesPerWait = w == 0 ? 0 : Math.Round((double)q / w, 1), TimedOut = Interlocked.Read(ref timedOut) };
        }
    }
}

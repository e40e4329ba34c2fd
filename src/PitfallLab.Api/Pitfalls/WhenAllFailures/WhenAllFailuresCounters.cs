using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>
/// Running totals per variant, under <c>pitfalls.whenall-failures</c> in /lab/stats: during a k6 run they show
/// bad's request failure rate climbing far above the item failure rate that caused it, and the errors it hid.
/// </summary>
public sealed class WhenAllFailuresCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, Totals> byVariant = new();

    public string Pitfall => WhenAllFailuresPitfall.Id;

    public void Record(string variant, bool requestFailed, FanOutEvidence e) =>
        byVariant.GetOrAdd(variant, _ => new Totals()).Add(requestFailed, e);

    public object Snapshot() => byVariant.OrderBy(v => v.Key).ToDictionary(v => v.Key, v => v.Value.Read());

    public void Reset() => byVariant.Clear();

    /// <summary>What /lab/stats shows for one variant.</summary>
    public sealed record VariantTotals(
        long Requests, long RequestsFailed, double RequestFailureRate,
        long Items, long ItemsFailed, double ItemFailureRate,
        long ItemsReturned, long ErrorsReported, long SuccessesDiscarded, long ErrorsHidden, long CallsCancelled);

    private sealed class Totals
    {
        private long requests, requestsFailed, items, itemsFailed, itemsReturned, errorsReported, discarded, hidden, cancelled;

        public void Add(bool requestFailed, FanOutEvidence e)
        {
            Interlocked.Increment(ref requests);
            if (requestFailed) Interlocked.Increment(ref requestsFailed);
            Interlocked.Add(ref items, e.Requested);
            Interlocked.Add(ref itemsFailed, e.CallsFailed);
            Interlocked.Add(ref itemsReturned, e.ItemsReturned);
            Interlocked.Add(ref errorsReported, e.ErrorsReported);
            Interlocked.Add(ref discarded, e.SuccessesDiscarded);
            Interlocked.Add(ref hidden, e.ErrorsHidden);
            Interlocked.Add(ref cancelled, e.CallsCancelled);
        }

        public VariantTotals Read()
        {
            long r = Interlocked.Read(ref requests), rf = Interlocked.Read(ref requestsFailed);
            long i = Interlocked.Read(ref items), f = Interlocked.Read(ref itemsFailed);
            return new(r, rf, Rate(rf, r), i, f, Rate(f, i),
                Interlocked.Read(ref itemsReturned), Interlocked.Read(ref errorsReported),
                Interlocked.Read(ref discarded), Interlocked.Read(ref hidden), Interlocked.Read(ref cancelled));
        }

        private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
    }
}

public static class WhenAllFailuresServices
{
    /// <summary>One instance, injected by the handlers and listed among the lab's counters.</summary>
    public static IServiceCollection AddWhenAllFailures(this IServiceCollection services) =>
        services.AddLabCounters<WhenAllFailuresCounters>();
}

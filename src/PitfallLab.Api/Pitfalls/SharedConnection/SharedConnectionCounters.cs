using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.SharedConnection;

/// <summary>Running totals per variant for /lab/stats: during a k6 run bad's item failures and refused commands pile up, good's and batched's stay at zero.</summary>
public sealed class SharedConnectionCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, Totals> byVariant = new(StringComparer.Ordinal);

    public string Pitfall => SharedConnectionPitfall.Id;

    public void Add(string variant, LookupEvidence evidence) => byVariant.GetOrAdd(variant, _ => new Totals()).Add(evidence);

    public object Snapshot() => byVariant.OrderBy(v => v.Key).ToDictionary(v => v.Key, v => v.Value.Read());

    public void Reset() => byVariant.Clear();

    public sealed record VariantTotals(long Requests, long Items, long ItemsFailed, double ItemFailureRate, long CommandsRefused, long RoundTrips);

    private sealed class Totals
    {
        private readonly Lock gate = new();
        private long requests, items, itemsFailed, refused, roundTrips;

        public void Add(LookupEvidence e)
        {
            lock (gate)
            {
                requests++;
                items += e.ItemsOk + e.ItemsFailed;
                itemsFailed += e.ItemsFailed;
                refused += e.CommandsRefused;
                roundTrips += e.RoundTrips;
            }
        }

        public VariantTotals Read()
        {
            lock (gate)
                return new(requests, items, itemsFailed, items == 0 ? 0 : Math.Round((double)itemsFailed / items, 4), refused, roundTrips);
        }
    }
}

public static class SharedConnectionServices
{
    public static IServiceCollection AddSharedConnection(this IServiceCollection services) =>
        services.AddLabCounters<SharedConnectionCounters>();
}

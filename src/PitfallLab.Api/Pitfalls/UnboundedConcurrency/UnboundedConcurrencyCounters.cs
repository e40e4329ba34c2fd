using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

/// <summary>Running totals per variant for /lab/stats: during a k6 run, bad's failures pile up here while good's stay at zero.</summary>
public sealed class UnboundedConcurrencyCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, Totals> byVariant = new(StringComparer.Ordinal);

    public string Pitfall => UnboundedConcurrencyPitfall.Id;

    public void Add(string variant, BatchResult result, BatchEvidence evidence) =>
        byVariant.GetOrAdd(variant, _ => new Totals()).Add(result, evidence);

    public object Snapshot() => byVariant.ToDictionary(v => v.Key, v => v.Value.Snapshot());

    public void Reset() => byVariant.Clear();

    public sealed record VariantTotals(long Batches, long Items, long Succeeded, long PoolExhausted, long TooManyRequests, long Other, int MaxBackendInFlight);

    private sealed class Totals
    {
        private readonly Lock gate = new();
        private VariantTotals totals = new(0, 0, 0, 0, 0, 0, 0);

        public void Add(BatchResult result, BatchEvidence evidence)
        {
            var f = evidence.Failures;
            lock (gate)
            {
                totals = new(
                    totals.Batches + 1, totals.Items + result.Items, totals.Succeeded + result.Succeeded,
                    totals.PoolExhausted + f.PoolExhausted, totals.TooManyRequests + f.TooManyRequests, totals.Other + f.Other,
                    Math.Max(totals.MaxBackendInFlight, evidence.MaxBackendInFlight));
            }
        }

        public VariantTotals Snapshot()
        {
            lock (gate) return totals;
        }
    }
}

public static class UnboundedConcurrencyServices
{
    public static IServiceCollection AddUnboundedConcurrency(this IServiceCollection services)
    {
        services.AddLabCounters<UnboundedConcurrencyCounters>();
        return services;
    }
}

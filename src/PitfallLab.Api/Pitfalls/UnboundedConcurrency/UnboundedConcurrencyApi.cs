using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

/// <summary>
/// Pitfall 5: unbounded concurrency. The same batch of orders two ways: every item at once, or a bounded
/// number at a time. Both variants get the same pool shape (separate pools, so bad cannot hurt good).
/// </summary>
public static class UnboundedConcurrencyApi
{
    private const string Id = UnboundedConcurrencyPitfall.Id;

    // Small on purpose, with the shortest Timeout Npgsql allows (whole seconds): an overrun fails in 1 s, not 15.
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 1);

    public static async Task<Ok<Observation<BatchResult, BatchEvidence>>> Bad(
        [AsParameters] BatchKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        var batch = new OrderBatch(knobs, pools.For(Id, watch.Variant, Pool), backend);
        // Starts all N items now: N waits on a 20-connection pool, then a burst of backend calls.
        await Task.WhenAll(batch.OrderIds.Select(id => batch.ProcessAsync(id, ct)));
        return TypedResults.Ok(batch.Finish(watch, bound: null, Pool));
    }

    public static async Task<Ok<Observation<BatchResult, BatchEvidence>>> Good(
        [AsParameters] BatchKnobs knobs, [AsParameters] BoundKnob bound, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var batch = new OrderBatch(knobs, pools.For(Id, watch.Variant, Pool), backend);
        // At most `bound` items at a time: each worker takes the next id when its item is done.
        var options = new ParallelOptions { MaxDegreeOfParallelism = bound.Bound, CancellationToken = ct };
        await Parallel.ForEachAsync(batch.OrderIds, options, async (id, token) => await batch.ProcessAsync(id, token));
        return TypedResults.Ok(batch.Finish(watch, bound.Bound, Pool));
    }
}

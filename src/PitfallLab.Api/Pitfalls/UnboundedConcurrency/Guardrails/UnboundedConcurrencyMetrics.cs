namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency.Guardrails;

/// <summary>
/// What /lab/stats shows under <c>pitfalls.unbounded-concurrency.{variant}</c>: during a k6 run bad's itemsFailed pile
/// up by cause and its maxBackendInFlight passes the backend's cap, while good's stay at zero and at its bound.
/// </summary>
public static class UnboundedConcurrencyMetrics
{
    // A batch answers its tally, always a 200: requestsWithFailedItems, not requestsFailed, counts the batches that lost items.
    private static readonly FanOutTotals<Observation<BatchResult, BatchEvidence>> Totals = new(UnboundedConcurrencyPitfall.Id,
        o => (o.Result.Items, o.Result.Failed, false),
        new("poolExhausted", "Items that found no pooled connection within the pool's Timeout", o => o.Evidence.Failures.PoolExhausted),
        new("tooManyRequests", "Items the backend refused with 429 Too Many Requests", o => o.Evidence.Failures.TooManyRequests),
        new("otherFailures", "Items that failed for any other reason", o => o.Evidence.Failures.Other),
        new("maxBackendInFlight", "Most backend calls one request had in flight at once", o => o.Evidence.MaxBackendInFlight, Peak: true));

    public static Observation<BatchResult, BatchEvidence> Record(Observation<BatchResult, BatchEvidence> batch)
    {
        Totals.Record(batch.Variant, batch);
        return batch;
    }
}

using PitfallLab.Api.Lab.Metrics;
using PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency.Guardrails;

/// <summary>
/// What /lab/stats shows under <c>pitfalls.unbounded-concurrency.{variant}</c>: during a k6 run bad's itemsFailed pile
/// up by cause (poolExhausted, tooManyRequests) and its maxBackendInFlight passes the backend's cap, while good's
/// stay at zero and at its bound. Measures only: nothing here changes an answer.
/// </summary>
public static class UnboundedConcurrencyMetrics
{
    private static readonly FanOutTotals Totals = new(UnboundedConcurrencyPitfall.Id);
    private static readonly LabCounter PoolExhausted = Totals.Metrics.Counter("poolExhausted", "Items that found no pooled connection within the pool's Timeout");
    private static readonly LabCounter TooManyRequests = Totals.Metrics.Counter("tooManyRequests", "Items the backend refused with 429 Too Many Requests");
    private static readonly LabCounter OtherFailures = Totals.Metrics.Counter("otherFailures", "Items that failed for any other reason");
    private static readonly LabPeak MaxBackendInFlight = Totals.Metrics.Peak("maxBackendInFlight", "Most backend calls one request had in flight at once");

    public static void Record(string variant, BatchResult result, BatchEvidence evidence)
    {
        Totals.Record(variant, result.Items, result.Failed, requestFailed: false); // a batch answers its tally, always a 200
        PoolExhausted.Add(variant, evidence.Failures.PoolExhausted);
        TooManyRequests.Add(variant, evidence.Failures.TooManyRequests);
        OtherFailures.Add(variant, evidence.Failures.Other);
        MaxBackendInFlight.Record(variant, evidence.MaxBackendInFlight);
    }
}

using PitfallLab.Api.Lab.Metrics;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

/// <summary>
/// What /lab/stats shows under <c>pitfalls.whenall-failures.{variant}</c>: during a k6 run, bad's requestsFailed /
/// requests climbs far above the itemsFailed / items that caused it, and errorsHidden and successesDiscarded grow.
/// Measures only: nothing here changes an answer.
/// </summary>
public static class WhenAllFailuresMetrics
{
    private static readonly FanOutTotals Totals = new(WhenAllFailuresPitfall.Id);
    private static readonly LabCounter ItemsReturned = Totals.Metrics.Counter("itemsReturned", "Items the answers carried");
    private static readonly LabCounter ErrorsReported = Totals.Metrics.Counter("errorsReported", "Errors the answers named");
    private static readonly LabCounter SuccessesDiscarded = Totals.Metrics.Counter("successesDiscarded", "Items that arrived and no answer carried");
    private static readonly LabCounter ErrorsHidden = Totals.Metrics.Counter("errorsHidden", "Errors that happened and no answer named");
    private static readonly LabCounter CallsCancelled = Totals.Metrics.Counter("callsCancelled", "Backend calls cancelled before they ended");

    public static void Record(string variant, bool requestFailed, FanOutEvidence e)
    {
        Totals.Record(variant, e.Requested, e.CallsFailed, requestFailed);
        ItemsReturned.Add(variant, e.ItemsReturned);
        ErrorsReported.Add(variant, e.ErrorsReported);
        SuccessesDiscarded.Add(variant, e.SuccessesDiscarded);
        ErrorsHidden.Add(variant, e.ErrorsHidden);
        CallsCancelled.Add(variant, e.CallsCancelled);
    }
}

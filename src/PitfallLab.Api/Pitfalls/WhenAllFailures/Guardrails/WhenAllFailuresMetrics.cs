namespace PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

/// <summary>
/// What /lab/stats shows under <c>pitfalls.whenall-failures.{variant}</c>: during a k6 run, bad's requestsFailed /
/// requests climbs far above the itemsFailed / items that caused it, and errorsHidden and successesDiscarded grow.
/// </summary>
public static class WhenAllFailuresMetrics
{
    private static readonly FanOutTotals<(FanOutEvidence Evidence, bool Failed)> Totals = new(WhenAllFailuresPitfall.Id,
        o => (o.Evidence.Requested, o.Evidence.CallsFailed, o.Failed),
        new("itemsReturned", "Items the answers carried", o => o.Evidence.ItemsReturned),
        new("errorsReported", "Errors the answers named", o => o.Evidence.ErrorsReported),
        new("successesDiscarded", "Items that arrived and no answer carried", o => o.Evidence.SuccessesDiscarded),
        new("errorsHidden", "Errors that happened and no answer named", o => o.Evidence.ErrorsHidden),
        new("callsCancelled", "Backend calls cancelled before they ended", o => o.Evidence.CallsCancelled));

    public static void Record(string variant, bool requestFailed, FanOutEvidence evidence) => Totals.Record(variant, (evidence, requestFailed));
}

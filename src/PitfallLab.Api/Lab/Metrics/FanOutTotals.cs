namespace PitfallLab.Api.Lab.Metrics;

/// <summary>
/// The running totals of a fan-out pitfall (whenall-failures, unbounded-concurrency), per variant, taken from each
/// request's outcome <typeparamref name="T"/>: the figures every fan-out shares, one instrument each across the
/// pitfalls (requestsFailed, requestsWithFailedItems, items, itemsFailed; Watch counts the requests), plus the pitfall's own
/// <see cref="FanOutFigure{T}"/>s. A request's failure rate (<c>requestsFailed / requests</c>) against its items'
/// (<c>itemsFailed / items</c>) is what the lessons compare. Measures only: nothing here changes an answer.
/// </summary>
public sealed class FanOutTotals<T>
{
    private readonly Func<T, (int Items, int ItemsFailed, bool RequestFailed)> shared;
    private readonly LabCounter requestsFailed, requestsWithFailedItems, items, itemsFailed;
    private readonly (Action<string, long> Record, Func<T, int> Value)[] own;

    public FanOutTotals(string pitfall, Func<T, (int Items, int ItemsFailed, bool RequestFailed)> shared, params FanOutFigure<T>[] own)
    {
        var metrics = new PitfallMetrics(pitfall);
        this.shared = shared;
        requestsFailed = metrics.Counter("requestsFailed", "Requests answered with an error status");
        requestsWithFailedItems = metrics.Counter("requestsWithFailedItems", "Requests in which at least one item failed, whatever they answered");
        items = metrics.Counter("items", "Items the requests worked on");
        itemsFailed = metrics.Counter("itemsFailed", "Items that failed");
        this.own = own.Select(f => (Recorder(metrics, f), f.Value)).ToArray();
    }

    public void Record(string variant, T outcome)
    {
        var (itemCount, failedItems, requestFailed) = shared(outcome);
        if (requestFailed) requestsFailed.Add(variant);
        if (failedItems > 0) requestsWithFailedItems.Add(variant);
        items.Add(variant, itemCount);
        itemsFailed.Add(variant, failedItems);
        foreach (var (record, value) in own)
            record(variant, value(outcome));
    }

    private static Action<string, long> Recorder(PitfallMetrics metrics, FanOutFigure<T> figure)
    {
        if (figure.Peak)
        {
            var peak = metrics.Peak(figure.Key, figure.Description);
            return peak.Record;
        }
        var counter = metrics.Counter(figure.Key, figure.Description);
        return (variant, value) => counter.Add(variant, value);
    }
}

/// <summary>One more figure of a fan-out: its /lab/stats key, what it counts, where its value comes from; a total, or a peak since reset.</summary>
public sealed record FanOutFigure<T>(string Key, string Description, Func<T, int> Value, bool Peak = false);

using PitfallLab.Api.Lab.Metrics;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

/// <summary>
/// The running totals every fan-out pitfall keeps, per variant, one instrument each across the pitfalls that use it
/// (whenall-failures, unbounded-concurrency): requests and items, and how many failed. A request's failure rate
/// (<c>requestsFailed / requests</c>) against its items' (<c>itemsFailed / items</c>) is the figure the lessons compare.
/// </summary>
public sealed class FanOutTotals
{
    private readonly LabCounter requests, requestsFailed, requestsWithFailedItems, items, itemsFailed;

    public FanOutTotals(string pitfall)
    {
        Metrics = new PitfallMetrics(pitfall);
        requests = Metrics.Counter("requests", "Requests answered");
        requestsFailed = Metrics.Counter("requestsFailed", "Requests answered with an error status");
        requestsWithFailedItems = Metrics.Counter("requestsWithFailedItems", "Requests in which at least one item failed, whatever they answered");
        items = Metrics.Counter("items", "Items the requests worked on");
        itemsFailed = Metrics.Counter("itemsFailed", "Items that failed");
    }

    /// <summary>The pitfall's handle on the lab meter, for the figures only it has.</summary>
    public PitfallMetrics Metrics { get; }

    public void Record(string variant, int itemCount, int failedItems, bool requestFailed)
    {
        requests.Add(variant);
        if (requestFailed) requestsFailed.Add(variant);
        if (failedItems > 0) requestsWithFailedItems.Add(variant);
        items.Add(variant, itemCount);
        itemsFailed.Add(variant, failedItems);
    }
}

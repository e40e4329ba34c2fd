using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

/// <summary>The batch both variants run: how many orders, how slow each query and backend call, the backend's cap.</summary>
public sealed record BatchKnobs(
    [property: Knob(1, 2000, "How many orders the batch processes; each needs one query and one backend call. 300 queries of 80 ms need 24 connection-seconds: more than the pool's 20 connections x 1 s Timeout.")] int Items = 300,
    [property: Knob(0, 1000, "How long each item's query takes in PostgreSQL, in ms. pg_sleep inside the query stands in for a real query's work, as delayMs does for the backend's.")] int QueryMs = 80,
    [property: Knob(0, 5000, "How long each backend call takes, in ms. Longer than queryMs, so the calls of items leaving the pool pile up at the backend.")] int DelayMs = 100,
    [property: Knob(1, 1000, "The backend's concurrency cap: calls beyond it get 429 Too Many Requests.")] int Cap = 20)
{
    public BackendCall Call => new(DelayMs, Cap: Cap);
}

/// <summary>The fix's one knob: how many items may run at once.</summary>
public sealed record BoundKnob(
    [property: Knob(1, 500, "At most this many items at once. The default 16 stays below the pool's 20 connections and the backend's default cap of 20.")] int Bound = 16);

/// <summary>The job's result: items processed, the orders' total and their customers' tiers from the backend.</summary>
public sealed record BatchResult(int Items, int Succeeded, int Failed, decimal OrdersTotal, IReadOnlyDictionary<string, int> CustomersByTier);

/// <summary>Why items failed: the two real failure modes of an unbounded fan-out, and anything else.</summary>
public sealed record FailureCounts(int PoolExhausted, int TooManyRequests, int Other);

/// <summary>
/// What happened inside the batch. The in-flight figures are this request's own, counted in the API
/// (the backend's /stats mixes every caller): items running at once, backend calls in flight at once.
/// </summary>
public sealed record BatchEvidence(
    string Concurrency,
    int? Bound,
    int BackendCap,
    int PoolSize,
    int PoolTimeoutSeconds,
    FailureCounts Failures,
    int MaxItemsInFlight,
    int MaxBackendInFlight,
    double MaxConnectionWaitMs,
    IReadOnlyDictionary<string, string> FirstErrors);

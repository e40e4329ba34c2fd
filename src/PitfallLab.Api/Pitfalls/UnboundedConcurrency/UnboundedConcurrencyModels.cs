using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

/// <summary>The batch both variants run: how many orders, how slow each query and backend call, the backend's cap.</summary>
public sealed record BatchKnobs(
    [property: FromQuery(Name = "items")]
    [property: Description("How many orders the batch processes (1..2000); each needs one query and one backend call. 300 queries of 80 ms need 24 connection-seconds: more than the pool's 20 connections x 1 s Timeout.")]
    [property: Range(1, 2000, ErrorMessage = "items must be between 1 and 2000.")]
    int Items = 300,
    [property: FromQuery(Name = "queryMs")]
    [property: Description("How long each item's query takes in PostgreSQL, in ms (0..1000). pg_sleep inside the query stands in for a real query's work, as delayMs does for the backend's.")]
    [property: Range(0, 1000, ErrorMessage = "queryMs must be between 0 and 1000.")]
    int QueryMs = 80,
    [property: FromQuery(Name = "delayMs")]
    [property: Description("How long each backend call takes, in ms (0..5000). Longer than queryMs, so the calls of items leaving the pool pile up at the backend.")]
    [property: Range(0, 5000, ErrorMessage = "delayMs must be between 0 and 5000.")]
    int DelayMs = 100,
    [property: FromQuery(Name = "cap")]
    [property: Description("The backend's concurrency cap (1..1000): calls beyond it get 429 Too Many Requests.")]
    [property: Range(1, 1000, ErrorMessage = "cap must be between 1 and 1000.")]
    int Cap = 20)
{
    public BackendCall Call => new(DelayMs, Cap: Cap);
}

/// <summary>The fix's one knob: how many items may run at once.</summary>
public sealed record BoundKnob(
    [property: FromQuery(Name = "bound")]
    [property: Description("At most this many items at once (1..500). The default 16 stays below the pool's 20 connections and the backend's default cap of 20.")]
    [property: Range(1, 500, ErrorMessage = "bound must be between 1 and 500.")]
    int Bound = 16);

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

namespace PitfallLab.Api.Lab.Live;

/// <summary>One update of the live page: everything it draws, sampled at one instant on the sampler's thread.</summary>
public sealed record LiveFrame(
    long Seq,
    long UnixMs,
    LivePool ThreadPool,
    double ProbeMs,
    IReadOnlyList<string> UnderLoad,
    IReadOnlyList<LiveVariant> Variants,
    IReadOnlyList<LiveDbPool> DbPools,
    LiveBackend Backend,
    LiveRuntime Runtime,
    IReadOnlyList<LiveCounter> Counters);

/// <summary>Thread-pool threads, work items waiting for one, and work items completed per second.</summary>
public sealed record LivePool(int Threads, long Queued, double CompletedPerSecond, int MinThreads);

/// <summary>
/// One pitfall variant: requests in its handler now, waiting at its stage-guard gate (no thread held), ended per
/// second over the last second, and the p95 of those that ended in the last 5 s.
/// </summary>
public sealed record LiveVariant(string Pitfall, string Variant, long InFlight, long Waiting, double RatePerSecond, double? P95Ms);

public sealed record LiveDbPool(string Pool, long Used, long Idle, long Max, long Pending);

/// <summary>The backend's own counters: calls running now, 429s since its last reset, or why they could not be read.</summary>
public sealed record LiveBackend(int? InFlight, long? TooManyRequests, long? Total, string? Error);

/// <summary>
/// What the runtime itself reported (the lab meter's <c>starvationEvents</c> and <c>blockingWaits</c>): totals since
/// reset. The page draws a marker whenever one rises.
/// </summary>
public sealed record LiveRuntime(long StarvationEvents, long BlockingWaits);

/// <summary>One of the lab's own counters, as /lab/stats shows it (variant null for a pitfall-wide figure).</summary>
public sealed record LiveCounter(string Pitfall, string? Variant, string Key, long Value);

namespace PitfallLab.Api.Lab;

/// <summary>
/// What every pitfall endpoint answers: the job's result plus the evidence that shows what happened.
/// Clicking bad then good in Swagger UI should teach the pitfall from these numbers alone.
/// </summary>
public sealed record Observation<TResult, TEvidence>(
    string Pitfall,
    string Variant,
    double ElapsedMs,
    TResult Result,
    TEvidence Evidence,
    RuntimeEvidence Runtime);

/// <summary>
/// The process-wide figures: the thread pool when the request started and ended, how many requests of
/// this variant were in flight when it started, which managed thread began and ended it, and this pitfall's pools.
/// </summary>
public sealed record RuntimeEvidence(
    ThreadPoolFigures ThreadPoolAtStart,
    ThreadPoolFigures ThreadPoolAtEnd,
    int InFlightAtStart,
    int ThreadAtStart,
    int ThreadAtEnd,
    IReadOnlyList<DbPoolFigures> DbPools);

using Microsoft.AspNetCore.Mvc;

namespace PitfallLab.Backend.Simulation;

/// <summary>The query knobs every simulated endpoint accepts, exactly as the caller sent them.</summary>
/// <remarks>
/// Bound as raw strings on purpose: minimal API binding answers <c>delayMs=abc</c> with an empty 400,
/// whereas parsing here gives every malformed or out-of-range knob a ProblemDetails that names it.
/// The OpenAPI document still shows the real types and ranges (see <see cref="KnobsOpenApiTransformer"/>).
/// </remarks>
public sealed record SimulationKnobs(
    [FromQuery(Name = "delayMs")] string? DelayMs,
    [FromQuery(Name = "jitterMs")] string? JitterMs,
    [FromQuery(Name = "failIds")] string? FailIds,
    [FromQuery(Name = "failRate")] string? FailRate,
    [FromQuery(Name = "seed")] string? Seed,
    [FromQuery(Name = "failAfterMs")] string? FailAfterMs,
    [FromQuery(Name = "cap")] string? Cap)
{
    /// <summary>Parses the route id and every knob; on failure, <paramref name="errors"/> is keyed by parameter name.</summary>
    public bool TryParse(string rawId, out SimulationPlan plan, out Dictionary<string, string[]> errors)
    {
        var reader = new KnobReader();
        plan = new SimulationPlan(
            reader.RequiredInt("id", rawId) ?? 0,
            reader.Int("delayMs", DelayMs, 0, KnobLimits.MaxDelayMs) ?? 0,
            reader.Int("jitterMs", JitterMs, 0, KnobLimits.MaxJitterMs) ?? 0,
            reader.IdList("failIds", FailIds, KnobLimits.MaxFailIds),
            reader.Double("failRate", FailRate, 0, 1) ?? 0,
            reader.Int("seed", Seed),
            reader.Int("failAfterMs", FailAfterMs, 0, KnobLimits.MaxDelayMs) ?? 0,
            reader.Int("cap", Cap, 1, KnobLimits.MaxCap));
        errors = reader.Errors;
        return errors.Count == 0;
    }
}

/// <summary>The validated knobs for one request.</summary>
public sealed record SimulationPlan(
    int Id,
    int DelayMs,
    int JitterMs,
    IReadOnlyList<int> FailIds,
    double FailRate,
    int? Seed,
    int FailAfterMs,
    int? Cap);

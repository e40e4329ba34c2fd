using System.ComponentModel.DataAnnotations;

namespace PitfallLab.Backend.Simulation;

/// <summary>Server-wide simulator settings, section <c>Simulator</c> (env <c>Simulator__ConcurrencyCap</c>).</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>
    /// In-flight requests allowed on the simulated endpoints before they answer 429.
    /// The default is generous so that only a caller that fans out without a bound hits it.
    /// </summary>
    [Range(1, KnobLimits.MaxCap)]
    public int ConcurrencyCap { get; set; } = 256;
}

/// <summary>The allowed ranges, shared by validation, options and the OpenAPI document.</summary>
public static class KnobLimits
{
    public const int MaxDelayMs = 60_000;
    public const int MaxJitterMs = 10_000;
    public const int MaxFailIds = 1_000;
    public const int MaxCap = 100_000;

    /// <summary>Room for the longest valid failIds list (1000 x "-2147483648,") plus the other knobs.</summary>
    public const int MaxRequestLineBytes = 16 * 1024;
}

namespace PitfallLab.Backend.Simulation;

/// <summary>The random draws of one simulated call: does it fail, and how much jitter does it get.</summary>
/// <remarks>
/// With a seed, every draw is a pure function of (seed, id, purpose), so a demo replays identically in
/// every run and every process. That rules out <c>string.GetHashCode</c> and <c>HashCode</c>, which are
/// randomized per process, and <c>new Random(seed)</c>, whose sequence .NET does not promise to keep.
/// </remarks>
internal static class Dice
{
    private const ulong FailureDraw = 0x6661696C; // distinct purposes get independent draws for the same id
    private const ulong JitterDraw = 0x6A697474;

    public static string? FailureReason(SimulationPlan plan)
    {
        if (plan.FailIds.Contains(plan.Id))
        {
            return "failIds";
        }

        return plan.FailRate > 0 && Draw(plan, FailureDraw) < plan.FailRate ? "failRate" : null;
    }

    /// <summary>A jitter in 0..jitterMs inclusive.</summary>
    public static int Jitter(SimulationPlan plan) =>
        plan.JitterMs == 0 ? 0 : (int)(Draw(plan, JitterDraw) * (plan.JitterMs + 1));

    private static double Draw(SimulationPlan plan, ulong purpose) =>
        plan.Seed is { } seed ? Unit(seed, plan.Id, purpose) : Random.Shared.NextDouble();

    /// <summary>A uniform double in [0, 1), stable across processes, platforms and .NET versions.</summary>
    public static double Unit(int seed, int id, ulong purpose)
    {
        var key = ((ulong)(uint)seed << 32) | (uint)id;
        var bits = Mix(Mix(key) ^ purpose);
        return (bits >> 11) * (1.0 / (1UL << 53)); // the top 53 bits fill a double's mantissa exactly
    }

    // The SplitMix64 finalizer: a cheap bijection on 64-bit integers whose output bits all depend on all input bits.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

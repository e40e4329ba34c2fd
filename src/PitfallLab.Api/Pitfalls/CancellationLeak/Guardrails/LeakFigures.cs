using System.ComponentModel.DataAnnotations;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// The leak guard's figures for one variant, as /lab/stats shows them. openNow: connections its handlers opened that
/// are still open; leakedNow: those whose request has already ended (nobody will ever close them but the guard);
/// reclaimed: how many the guard has closed after the grace; reclaimedByReset: how many it closed because the last
/// /lab/reset disposed their pool; slowestReclaimMs: the longest a leaked connection waited, from its request's end to
/// the guard's dispose.
/// </summary>
public sealed record LeakFigures(long OpenNow, long LeakedNow, long Reclaimed, long ReclaimedByReset, long SlowestReclaimMs, int GraceSeconds);

public sealed class LeakGuardOptions
{
    /// <summary>How long a connection may stay open after its request ended before the guard closes it.</summary>
    [Range(1, 600)]
    public int LeakGraceSeconds { get; set; } = 2;
}

/// <summary>The leak guard's instruments on the lab meter: the keys of <see cref="LeakFigures"/>.</summary>
internal static class LeakMetrics
{
    private static readonly PitfallMetrics Metrics = new(CancellationLeakPitfall.Id);
    public static readonly LabGauge OpenNow = Metrics.Gauge("openNow", "Connections the handlers opened that are still open");
    public static readonly LabGauge LeakedNow = Metrics.Gauge("leakedNow", "Open connections whose request has already ended: leaked");
    public static readonly LabCounter Reclaimed = Metrics.Counter("reclaimed", "Leaked connections the guard closed after the grace");
    // A gauge the guard itself zeroes when it sees a new reset: the count of the last reset, which /lab/reset's own zeroing must not erase.
    public static readonly LabGauge ReclaimedByReset = Metrics.Gauge("reclaimedByReset", "Leaked connections closed because /lab/reset disposed their pool, since that reset");
    public static readonly LabPeak SlowestReclaimMs = Metrics.Peak("slowestReclaimMs", "The longest a leaked connection stayed open after its request ended", "ms");
}

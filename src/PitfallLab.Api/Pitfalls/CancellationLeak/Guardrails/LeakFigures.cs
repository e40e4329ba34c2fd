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

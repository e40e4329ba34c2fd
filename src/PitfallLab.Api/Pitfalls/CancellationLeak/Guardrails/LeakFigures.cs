namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// The leak guard's figures for one variant. openNow: connections its handlers opened that are still open;
/// leakedNow: those whose request has already ended (nobody will ever close them but the guard); reclaimed: how many
/// the guard (or /lab/reset) has closed; slowestReclaimMs: the longest a leaked connection waited, from its
/// request's end to the guard's dispose.
/// </summary>
public sealed record LeakFigures(int OpenNow, int LeakedNow, long Reclaimed, long ReclaimedByReset, double SlowestReclaimMs, int GraceSeconds);

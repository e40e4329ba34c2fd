using System.Diagnostics;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;

/// <summary>
/// Reads what a variant's abandoned calls left behind: its sessions in pg_stat_activity (through the lab's own pool,
/// not the variant's, which may be exhausted), its pool's figures, the leak guard's count and the backend's in-flight.
/// </summary>
public sealed class LeftBehindProbe(NpgsqlDataSource lab, BackendClient backend, LeakGuard guard, LabMetricsListener stats)
{
    private const string ActivitySql = """
        SELECT count(*) FILTER (WHERE state = 'active') AS Active,
               count(*) AS Sessions,
               coalesce(max(extract(epoch FROM now() - query_start) * 1000) FILTER (WHERE state = 'active'), 0)::float8 AS LongestActiveMs
        FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = @Name
        """;

    private sealed record Activity(long Active, long Sessions, double LongestActiveMs);

    public async Task<LeftBehind> ReadAsync(string variant, long startedAt, CancellationToken ct)
    {
        var name = SandboxPools.NameOf(CancellationLeakPitfall.Id, variant);
        var handlers = stats.HandlersRunning(variant);
        Activity activity;
        await using (var conn = await lab.OpenConnectionAsync(ct))
            activity = await conn.QuerySingleAsync<Activity>(new CommandDefinition(ActivitySql, new { Name = name }, cancellationToken: ct));
        var pool = DbPoolMeter.Shared.Read(n => n == name).FirstOrDefault();
        int? inFlight;
        try { inFlight = (await backend.GetStatsAsync(ct)).InFlight; }
        catch (Exception e) when (e is HttpRequestException or BackendException) { inFlight = null; }

        return new(Math.Round(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, 1), handlers,
            activity.Active, activity.Sessions, Math.Round(activity.LongestActiveMs, 1),
            pool?.Used ?? 0, pool?.Idle ?? 0, pool?.PendingRequests ?? 0, guard.Figures(variant).LeakedNow, inFlight);
    }
}

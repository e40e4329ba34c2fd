using PitfallLab.Api.Backend;
using PitfallLab.Api.Lab.Guardrails;

namespace PitfallLab.Api.Lab;

/// <summary>Who holds what in PostgreSQL, by Application Name: the sandbox pools show up here by name.</summary>
public sealed record PgActivity(string ApplicationName, string State, long Connections, long Waiting, double LongestQueryMs);

public sealed record LabStats(
    ThreadPoolFigures ThreadPool,
    IReadOnlyList<DbPoolFigures> DbPools,
    IReadOnlyList<PgActivity> PgActivity,
    BackendStats? Backend,
    string? BackendError,
    IReadOnlyDictionary<string, object> Pitfalls,
    IReadOnlyDictionary<string, GateFigures> Guardrails);

public static class LabApi
{
    public static RouteGroupBuilder MapLab(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/lab").WithTags("zz lab");

        group.MapGet("/stats", Stats).Describe("LabStats", "Live figures: thread pool, connection pools, pg_stat_activity, backend",
            "Watch this during a k6 run: thread-pool threads and queue, every Npgsql pool (used/idle/pending/timeouts), connections per Application Name in pg_stat_activity, and the backend's in-flight counters. Under `pitfalls`, each pitfall's running totals; under `guardrails`, each thread-blocking variant's gate (requests blocking a thread now, waiting their turn, and skipped because their client had gone).");

        group.MapPost("/reset", Reset).Describe("LabReset", "Start clean: drop the sandbox pools, reset the backend's counters",
            "Disposes every pitfall's sandbox pool (their connections close), zeroes each pitfall's running totals and the backend's statistics, then answers the fresh figures. The lab recovers without it; reset just makes the next demo start from zero.");

        return group;
    }

    public static async Task<Ok<LabStats>> Stats(
        NpgsqlDataSource db, BackendClient backend, LabMetricsListener metrics, ThreadGates gates, CancellationToken ct) =>
        TypedResults.Ok(await ReadAsync(db, backend, metrics, gates, ct));

    public static async Task<Ok<LabStats>> Reset(
        SandboxPools pools, NpgsqlDataSource db, BackendClient backend, LabMetricsListener metrics, ThreadGates gates, CancellationToken ct)
    {
        await pools.ResetAsync();
        metrics.Reset();
        string? backendError = null;
        try { await backend.ResetStatsAsync(ct); }
        catch (Exception ex) when (ex is HttpRequestException or BackendException) { backendError = ex.Message; }
        var stats = await ReadAsync(db, backend, metrics, gates, ct);
        return TypedResults.Ok(stats with { BackendError = stats.BackendError ?? backendError });
    }

    private static async Task<LabStats> ReadAsync(
        NpgsqlDataSource db, BackendClient backend, LabMetricsListener metrics, ThreadGates gates, CancellationToken ct)
    {
        const string sql = """
            SELECT coalesce(nullif(application_name, ''), '(none)') AS ApplicationName,
                   coalesce(state, '(unknown)') AS State,
                   count(*) AS Connections,
                   count(*) FILTER (WHERE wait_event_type = 'Lock') AS Waiting,
                   coalesce(max(extract(epoch FROM now() - query_start) * 1000) FILTER (WHERE state = 'active'), 0)::float8 AS LongestQueryMs
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            GROUP BY 1, 2
            ORDER BY 1, 2
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var activity = (await conn.QueryAsync<PgActivity>(new CommandDefinition(sql, cancellationToken: ct))).ToList();

        BackendStats? backendStats = null;
        string? backendError = null;
        try { backendStats = await backend.GetStatsAsync(ct); }
        catch (Exception ex) when (ex is HttpRequestException or BackendException) { backendError = ex.Message; }

        var pitfalls = metrics.ReadAll();
        return new LabStats(ThreadPoolFigures.Now(), DbPoolMeter.Shared.Read(), activity, backendStats, backendError, pitfalls, gates.Read());
    }
}

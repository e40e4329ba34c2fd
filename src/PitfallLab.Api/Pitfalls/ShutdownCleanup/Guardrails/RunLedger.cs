namespace PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

/// <summary>
/// The lab's view after a run, from PostgreSQL itself: the run's rows (completed, pending), the worker's backends
/// still in pg_stat_activity, and the clean-up that ends them so that the next run starts from a recovered lab.
/// </summary>
public sealed class RunLedger(SandboxPools pools)
{
    private static readonly PoolShape Pool = new(MaxPoolSize: 4, TimeoutSeconds: 5, CommandTimeoutSeconds: 5);

    private NpgsqlDataSource Db => pools.For(ShutdownCleanupPitfall.Id, "lab", Pool);

    public async Task<(int Completed, int Pending)> CountAsync(Guid runId)
    {
        const string sql = """
            SELECT count(*) FILTER (WHERE status = 'completed')::int AS Completed,
                   count(*) FILTER (WHERE status = 'pending')::int AS Pending
            FROM shutdown_jobs WHERE run_id = @runId
            """;
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<(int, int)>(sql, new { runId });
    }

    public async Task<(int Left, int Running)> LeftoverAsync(string variant, IReadOnlyCollection<int> pids)
    {
        const string sql = """
            SELECT count(*)::int AS Left, count(*) FILTER (WHERE state = 'active')::int AS Running
            FROM pg_stat_activity WHERE application_name = @app AND pid = ANY(@pids)
            """;
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<(int, int)>(sql, new { app = SandboxPools.NameOf(ShutdownCleanupPitfall.Id, variant), pids = pids.ToArray() });
    }

    public async Task<int> CloseLeftoversAsync(string variant, IReadOnlyCollection<int> pids)
    {
        const string sql = """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int
            FROM pg_stat_activity WHERE application_name = @app AND pid = ANY(@pids)
            """;
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>(sql, new { app = SandboxPools.NameOf(ShutdownCleanupPitfall.Id, variant), pids = pids.ToArray() });
    }
}

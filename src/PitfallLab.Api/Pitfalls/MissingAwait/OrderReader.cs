using Dapper;
using Npgsql;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>
/// Reads orders on its own sandbox pool (<c>pitfalllab/missing-await/read</c>), never on the request's connection:
/// what it sees is what any other client of the database would see.
/// </summary>
public sealed class OrderReader(SandboxPools pools)
{
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5, CommandTimeoutSeconds: 5);

    private const string FindSql = """
        SELECT o.id AS Id, o.user_id AS UserId, o.total AS Total, o.status AS Status, o.request_key AS RequestKey,
               o.created_at AS CreatedAt,
               (SELECT count(*) FROM audit_log a WHERE a.entity = 'order' AND a.entity_id = o.id) AS AuditRows
        FROM orders o
        WHERE o.id = @id
        """;

    private NpgsqlDataSource Db => pools.For(MissingAwaitPitfall.Id, "read", Pool);

    public async Task<StoredOrder?> FindAsync(long id, CancellationToken ct)
    {
        await using var conn = await Db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StoredOrder>(new CommandDefinition(FindSql, new { id }, cancellationToken: ct));
    }

    /// <summary>Ends one server session of this pitfall's pools: the lab's last resort against a dispose stuck on it.</summary>
    public async Task TerminateAsync(int serverPid)
    {
        const string sql = """
            SELECT pg_terminate_backend(pid)
            FROM pg_stat_activity
            WHERE pid = @serverPid AND application_name LIKE 'pitfalllab/missing-await/%'
            """;
        using var bound = new CancellationTokenSource(RequestConnection.DisposeBound);
        await using var conn = await Db.OpenConnectionAsync(bound.Token);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { serverPid }, cancellationToken: bound.Token));
    }
}

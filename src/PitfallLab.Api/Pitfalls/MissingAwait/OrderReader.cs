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

    /// <summary>The reader's pool: also the lab's way in when the request's connection is stuck (see RequestConnection).</summary>
    public NpgsqlDataSource Db => pools.For(MissingAwaitPitfall.Id, "read", Pool);

    public async Task<StoredOrder?> FindAsync(long id, CancellationToken ct)
    {
        await using var conn = await Db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StoredOrder>(new CommandDefinition(FindSql, new { id }, cancellationToken: ct));
    }
}

using System.Text.Json;
using Dapper;
using Npgsql;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>Good's job records in the shared <c>jobs</c> table (kind <c>fire-and-forget</c>): queued, running, done or failed with its error.</summary>
public sealed class ChargeJobs(SandboxPools pools)
{
    public const string Kind = FireAndForgetPitfall.Id;
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 15);

    public NpgsqlDataSource Db => pools.For(FireAndForgetPitfall.Id, "good", Pool);

    public async Task InsertQueuedAsync(ChargeWork work, CancellationToken ct)
    {
        const string sql = "INSERT INTO jobs (id, kind, status, payload) VALUES (@Id, @Kind, 'queued', @Payload::jsonb)";
        var payload = JsonSerializer.Serialize(new { work.Knobs.CustomerId, work.Knobs.AmountCents, work.Knobs.FailRate, work.Knobs.DelayMs }, JsonSerializerOptions.Web);
        await ExecuteAsync(sql, new { Id = work.ChargeId, Kind, Payload = payload }, ct);
    }

    public Task DeleteAsync(Guid id, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM jobs WHERE id = @id AND kind = @Kind", new { id, Kind }, ct);

    public Task MarkRunningAsync(Guid id, CancellationToken ct) =>
        ExecuteAsync("UPDATE jobs SET status = 'running' WHERE id = @id", new { id }, ct);

    public Task MarkDoneAsync(Guid id, long orderId, CancellationToken ct) => ExecuteAsync("""
        UPDATE jobs SET status = 'done', completed_at = now(), payload = payload || jsonb_build_object('orderId', @orderId)
        WHERE id = @id
        """, new { id, orderId }, ct);

    public Task MarkFailedAsync(Guid id, string error, CancellationToken ct) =>
        ExecuteAsync("UPDATE jobs SET status = 'failed', completed_at = now(), error = @error WHERE id = @id", new { id, error }, ct);

    public async Task<JobRecord?> FindAsync(Guid id, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, status AS Status, error AS Error, payload::text AS Payload,
                   created_at AS CreatedAt, completed_at AS CompletedAt
            FROM jobs
            WHERE id = @id AND kind = @Kind
            """;
        await using var conn = await Db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(sql, new { id, Kind }, cancellationToken: ct));
        return row is null ? null : new JobRecord(row.Id, row.Status, row.Error, JsonDocument.Parse(row.Payload).RootElement.Clone(), row.CreatedAt, row.CompletedAt);
    }

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken ct)
    {
        await using var conn = await Db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    private sealed record JobRow(Guid Id, string Status, string? Error, string Payload, DateTime CreatedAt, DateTime? CompletedAt);
}

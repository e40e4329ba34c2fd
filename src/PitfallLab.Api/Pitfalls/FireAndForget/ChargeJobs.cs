using System.Text.Json;
using PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>Good's job records in the shared <c>jobs</c> table (kind <c>fire-and-forget</c>): queued, running, done or failed with its error.</summary>
public sealed class ChargeJobs(SandboxPools pools)
{
    public const string Kind = FireAndForgetPitfall.Id;
    private NpgsqlDataSource Db => pools.For(FireAndForgetPitfall.Id, "good", Charge.Pool);

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

    // An outcome is recorded even while the host stops: without a token.
    public Task MarkDoneAsync(Guid id, long orderId) => ExecuteAsync("""
        UPDATE jobs SET status = 'done', completed_at = now(), payload = payload || jsonb_build_object('orderId', @orderId)
        WHERE id = @id
        """, new { id, orderId }, CancellationToken.None);

    /// <summary>Records the failure on the job, where a client can see it (<paramref name="stopping"/>: the host's stop cut it off).</summary>
    public async Task MarkFailedAsync(Guid id, Exception failure, CancellationToken stopping)
    {
        var error = stopping.IsCancellationRequested ? $"interrupted by shutdown: {failure.Message}" : failure.Message;
        await ExecuteAsync("UPDATE jobs SET status = 'failed', completed_at = now(), error = @error WHERE id = @id", new { id, error }, CancellationToken.None);
        ChargeTally.FailuresVisible.Add("good");
    }

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

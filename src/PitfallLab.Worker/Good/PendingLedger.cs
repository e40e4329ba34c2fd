using Dapper;
using Npgsql;
using PitfallLab.Worker.Guardrails;

namespace PitfallLab.Worker.Good;

/// <summary>Good's record of what the stop left undone: one 'pending' row per job, for whoever starts next to pick up.</summary>
public sealed class PendingLedger(NpgsqlDataSource db, WorkerOptions options, ILogger<PendingLedger> logger)
{
    // A job that completed just before the deadline keeps its 'completed' row.
    private const string PendingSql = """
        INSERT INTO shutdown_jobs (run_id, job_no, variant, status)
        SELECT @RunId, no, @Variant, 'pending' FROM unnest(@Nos) AS no
        ON CONFLICT (run_id, job_no) DO NOTHING
        """;

    public async Task RecordPendingAsync(ICollection<int> jobNos, CancellationToken ct)
    {
        var nos = jobNos.Order().ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(PendingSql, new { options.RunId, options.Variant, Nos = nos }, cancellationToken: ct));
        logger.LogInformation("Stopped with {Count} jobs unfinished, recorded as pending: {Jobs}", nos.Length, string.Join(", ", nos));
        Protocol.RecordedPending(nos.Length);
    }
}

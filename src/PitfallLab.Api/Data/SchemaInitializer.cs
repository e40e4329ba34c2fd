using System.Reflection;

namespace PitfallLab.Api.Data;

/// <summary>Applies Data/schema.sql at startup, in one transaction, so that two instances starting together serialise on its advisory lock.</summary>
public sealed class SchemaInitializer(NpgsqlDataSource db, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var sql = await ReadSchemaAsync(cancellationToken);
        // The database may still be starting (compose, CI): retry for a while instead of crashing.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(cancellationToken);
                await using var tx = await conn.BeginTransactionAsync(cancellationToken);
                await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 120 };
                await cmd.ExecuteNonQueryAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Schema applied (attempt {Attempt})", attempt);
                return;
            }
            catch (NpgsqlException ex) when (attempt < 30 && ex.IsTransient)
            {
                logger.LogWarning("Database not ready ({Message}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> ReadSchemaAsync(CancellationToken ct)
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PitfallLab.Api.Data.schema.sql")
            ?? throw new InvalidOperationException("schema.sql is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }
}

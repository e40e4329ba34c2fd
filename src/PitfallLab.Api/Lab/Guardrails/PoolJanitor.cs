namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>
/// Empties every connection pool of the lab (its own and each pitfall's sandbox) when PostgreSQL went away.
/// Npgsql hands out an idle pooled connection without checking it, so after a restart each pool's idle connections
/// would fail their next command once, on some unlucky request. Clear marks them all: idle ones close now, busy ones
/// when returned, and the next request opens a fresh connection.
/// </summary>
public sealed class PoolJanitor(SandboxPools sandboxes, NpgsqlDataSource lab, ILogger<PoolJanitor> logger)
{
    private long clears;

    public long Clears => Interlocked.Read(ref clears);

    public void ClearAll(string why)
    {
        Interlocked.Increment(ref clears);
        lab.Clear();
        var count = sandboxes.ClearAll() + 1;
        logger.LogWarning("Cleared {Count} connection pools: {Why}", count, why);
    }
}

namespace PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

/// <summary>
/// The request's connection: opened on first use, disposed by the request's DI scope once the response has been
/// sent — the lifetime a scoped DbContext has. Whatever still holds it after that holds a disposed connection.
/// </summary>
/// <remarks>
/// The dispose is the lab's guardrail, not part of the lesson. When a dropped save is still using this connection,
/// Npgsql's dispose can wait with no timeout for a reply the save already consumed (measured: still waiting after
/// 15 s, the server session idle), or throw half-way and leave the pooled connection neither closed nor returned
/// (measured: 16 of 20 pool slots gone after one burst). So: after <see cref="DisposeBound"/> the server session is
/// terminated (over the reader's pool: this one may be full), which ends both waits; a failed dispose is retried,
/// with the pool told to close what comes back. The lab meter counts each case.
/// </remarks>
public sealed class RequestConnection(NpgsqlDataSource pool, OrderReader reader, string variant) : IAsyncDisposable
{
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private const int Retries = 20;

    private NpgsqlConnection? connection;
    private int serverPid;

    public async ValueTask<NpgsqlConnection> GetAsync(CancellationToken ct)
    {
        if (connection is null)
        {
            connection = await pool.OpenConnectionAsync(ct);
            serverPid = connection.ProcessID;
        }
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is null)
            return;
        var dispose = connection.DisposeAsync().AsTask();
        if (await Task.WhenAny(dispose, Task.Delay(DisposeBound)) != dispose)
        {
            SaveMetrics.StuckDisposes.Add(variant);
            await SucceedsAsync(TerminateAsync());
        }
        if (await SucceedsAsync(dispose.WaitAsync(DisposeBound)))
            return;

        // Npgsql gave up half-way (the save read a reply meant for the dispose, or the other way round): its connector
        // is neither closed nor back in the pool, a slot lost for good. Flag the pool's connectors to be closed when
        // returned, and retry once the save holding this one has ended (its command timeout bounds that).
        SaveMetrics.DisposeErrors.Add(variant);
        try
        {
            pool.Clear();
        }
        catch (ObjectDisposedException)
        {
            // /lab/reset disposed the pool meanwhile: what it hands back is closed anyway.
        }
        for (var attempt = 0; attempt < Retries; attempt++)
        {
            await Task.Delay(RetryDelay);
            if (await SucceedsAsync(connection.DisposeAsync().AsTask().WaitAsync(DisposeBound)))
                return;
        }
        SaveMetrics.LeakedConnections.Add(variant);
    }

    /// <summary>Ends this connection's server session: the last resort against a dispose stuck on it.</summary>
    private async Task TerminateAsync()
    {
        const string sql = """
            SELECT pg_terminate_backend(pid)
            FROM pg_stat_activity
            WHERE pid = @serverPid AND application_name LIKE 'pitfalllab/missing-await/%'
            """;
        using var bound = new CancellationTokenSource(DisposeBound);
        await using var conn = await reader.Db.OpenConnectionAsync(bound.Token);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { serverPid }, cancellationToken: bound.Token));
    }

    private static async Task<bool> SucceedsAsync(Task task)
    {
        try
        {
            await task;
            return true;
        }
        catch (Exception)
        {
            // Whatever Npgsql makes of two readers on one socket; the scope's disposal must not throw into the server.
            return false;
        }
    }
}

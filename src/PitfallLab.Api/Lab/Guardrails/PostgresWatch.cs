namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>
/// Holds one idle session to PostgreSQL and sleeps on its socket (no query, no thread): when the server stops,
/// restarts or kills the session, the wait fails at once, and the pools are cleared before any request can get a
/// connection that died with the server. It reconnects every half second until the server is back, then clears the
/// pools once more (anything pooled during the outage is suspect too).
/// </summary>
public sealed class PostgresWatch(IConfiguration configuration, PoolJanitor janitor, ILogger<PostgresWatch> logger) : BackgroundService
{
    public const string ApplicationName = "pitfalllab/lab/watch";
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Lab"))
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            Timeout = 5,
        };
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(builder.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                if (lost)
                {
                    lost = false;
                    janitor.ClearAll("PostgreSQL is back");
                }
                // Returns on a notification (none are expected) and throws when the session ends.
                while (true)
                    await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested) // never let it stop the host
            {
                if (!lost)
                {
                    lost = true;
                    logger.LogWarning("Lost PostgreSQL ({Message}); clearing the pools, reconnecting every {Ms} ms", ex.Message, RetryEvery.TotalMilliseconds);
                    janitor.ClearAll("PostgreSQL went away");
                }
                await Task.Delay(RetryEvery, stoppingToken);
            }
        }
    }
}

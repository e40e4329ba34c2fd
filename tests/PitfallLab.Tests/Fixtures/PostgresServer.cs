using Testcontainers.PostgreSql;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// The real PostgreSQL the tests use, found in this order (as Npgsql's and Dapper's own test suites do):
/// a server named by <see cref="EnvironmentVariable"/>; a Testcontainers container when a Docker engine
/// answers; a throwaway cluster from the machine's own PostgreSQL binaries.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "PITFALLLAB_TEST_DB";

    private readonly Func<ValueTask> stop;

    private PostgresServer(string connectionString, string source, Func<ValueTask> stop)
    {
        ConnectionString = connectionString;
        Source = source;
        this.stop = stop;
    }

    public string ConnectionString { get; }
    public string Source { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var failures = new List<string>();

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } named)
        {
            try
            {
                await ProbeAsync(named);
                return new(named, $"${EnvironmentVariable}", () => ValueTask.CompletedTask);
            }
            catch (Exception ex) { failures.Add($"1. ${EnvironmentVariable} is set but its server does not answer: {ex.Message}"); }
        }
        else failures.Add($"1. ${EnvironmentVariable} is not set (give it an Npgsql connection string to use your own server).");

        try
        {
            var container = new PostgreSqlBuilder("postgres:16.4-alpine")
                .WithCommand("-c", "max_connections=300")
                .Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await container.StartAsync(timeout.Token);
            return new(container.GetConnectionString(), "Testcontainers", container.DisposeAsync);
        }
        catch (Exception ex) { failures.Add($"2. Testcontainers: no Docker engine answers ({ex.GetType().Name}: {FirstLine(ex.Message)})."); }

        try
        {
            var cluster = await LocalPostgresCluster.StartAsync();
            return new(cluster.ConnectionString, $"local binaries ({cluster.Binaries})", cluster.DisposeAsync);
        }
        catch (Exception ex) { failures.Add($"3. Local PostgreSQL binaries: {ex.Message}"); }

        throw new InvalidOperationException(
            "The tests need a real PostgreSQL and found none of the three ways:\n" + string.Join('\n', failures) +
            "\nInstall the server (apt-get install postgresql), start Docker, or set " + EnvironmentVariable + ".");
    }

    private static async Task ProbeAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    public ValueTask DisposeAsync() => stop();
}

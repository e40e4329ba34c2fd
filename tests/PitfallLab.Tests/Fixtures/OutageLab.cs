namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A lab of its own for the outage tests, which stop and restart its parts: a local PostgreSQL cluster (never the
/// shared server, which may be one the tests cannot stop), a backend and an API. The shared <see cref="LabFixture"/>
/// never notices.
/// </summary>
public sealed class OutageLab : IAsyncLifetime
{
    private LocalPostgresCluster? db;
    private ServiceProcess? backend;
    private ServiceProcess? api;
    private int backendPort;

    public LocalPostgresCluster Db => db ?? throw new InvalidOperationException("not started");
    public ServiceProcess Api => api ?? throw new InvalidOperationException("not started");
    public int BackendPort => backendPort;
    public string PostgresAddress => $"127.0.0.1:{new Npgsql.NpgsqlConnectionStringBuilder(Db.ConnectionString).Port}";

    public async Task InitializeAsync()
    {
        if (!LocalPostgresCluster.Available)
            throw new InvalidOperationException(
                "The outage tests stop and restart PostgreSQL, so they need a cluster of their own from the local binaries " +
                "(initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin: apt-get install postgresql), even when " +
                $"{PostgresServer.EnvironmentVariable} names a server: that one is never stopped.");
        db = await LocalPostgresCluster.StartAsync();
        backendPort = FreePort.Next();
        await StartBackendAsync();
        api = await StartApiAsync($"http://127.0.0.1:{backendPort}");
    }

    /// <summary>An API on this lab's database and the given backend; the caller disposes it unless it is the lab's.</summary>
    public Task<ServiceProcess> StartApiAsync(string backendUrl, string readyPath = "/health") =>
        LabFixture.StartApiAsync(Db.ConnectionString, backendUrl, readyPath: readyPath);

    /// <summary>Kills the backend process (as a crash would: no graceful shutdown).</summary>
    public async Task KillBackendAsync()
    {
        if (backend is not null) await backend.DisposeAsync();
        backend = null;
    }

    /// <summary>Starts the backend again on the port the API knows.</summary>
    public async Task StartBackendAsync() =>
        backend = await ServiceProcess.StartAsync("PitfallLab.Backend", new Dictionary<string, string>(), port: backendPort);

    public async Task DisposeAsync()
    {
        if (api is not null) await api.DisposeAsync();
        if (backend is not null) await backend.DisposeAsync();
        if (db is not null) await db.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OutageCollection : ICollectionFixture<OutageLab>
{
    public const string Name = "outage";
}

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// The whole lab, once for the test assembly: real PostgreSQL, the backend and the API as real processes
/// on loopback ports. Tests that need a pristine thread pool start their own API with <see cref="StartApiAsync"/>.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    private PostgresServer? db;
    private ServiceProcess? backend;
    private ServiceProcess? api;

    public PostgresServer Db => db ?? throw new InvalidOperationException("not started");
    public ServiceProcess Backend => backend ?? throw new InvalidOperationException("not started");
    public ServiceProcess Api => api ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        db = await PostgresServer.StartAsync();
        backend = await ServiceProcess.StartAsync("PitfallLab.Backend", new Dictionary<string, string>());
        api = await StartApiAsync();
    }

    /// <summary>A fresh API process against the shared database and backend; the caller disposes it.</summary>
    public Task<ServiceProcess> StartApiAsync(IReadOnlyDictionary<string, string>? settings = null, string readyPath = "/health") =>
        StartApiAsync(Db.ConnectionString, Backend.BaseAddress.ToString(), settings, readyPath);

    /// <summary>An API process on the given database and backend, <paramref name="settings"/> last: the one recipe every fixture uses.</summary>
    public static Task<ServiceProcess> StartApiAsync(
        string connectionString, string backendUrl, IReadOnlyDictionary<string, string>? settings = null, string readyPath = "/health")
    {
        // Live__Port 0: no test API takes the live listener's default port (8082) from a running lab or another test.
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Lab"] = connectionString, ["Backend__BaseUrl"] = backendUrl, ["Live__Port"] = "0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        return ServiceProcess.StartAsync("PitfallLab.Api", environment, readyPath);
    }

    public async Task DisposeAsync()
    {
        if (api is not null) await api.DisposeAsync();
        if (backend is not null) await backend.DisposeAsync();
        if (db is not null) await db.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}

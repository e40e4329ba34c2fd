namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's binaries, in a temp dir, on a free loopback port.
/// The server refuses to run as root, so as root every binary runs as the postgres user.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private readonly string dataDir;
    private readonly int port;

    private LocalPostgresCluster(string binaries, string dataDir, int port)
    {
        Binaries = binaries;
        this.dataDir = dataDir;
        this.port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Database=pitfalllab;Username=postgres;Maximum Pool Size=20";
    }

    public string Binaries { get; }
    public string ConnectionString { get; }

    public static async Task<LocalPostgresCluster> StartAsync()
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "initdb/pg_ctl are not on PATH nor in /usr/lib/postgresql/*/bin (apt-get install postgresql).");
        var root = Path.Combine(Path.GetTempPath(), $"pitfalllab-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", root], asPostgres: false);

        var port = FreePort.Next();
        var cluster = new LocalPostgresCluster(binaries, root, port);
        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", cluster.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await cluster.StartServerAsync();

        var admin = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "postgres" }.ConnectionString;
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE DATABASE pitfalllab", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return cluster;
    }

    /// <summary>True when the local binaries exist, so that a cluster can be started (and stopped) here.</summary>
    public static bool Available => FindBinaries() is not null;

    private string Data => Path.Combine(dataDir, "data");

    /// <summary>Stops the server as an operator would (<c>pg_ctl stop -m fast</c>: every session gets 57P01 and is closed), keeping its data.</summary>
    public Task StopServerAsync() => RunAsync(Path.Combine(Binaries, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>Starts the same cluster again, on the same port, with the same settings.</summary>
    public Task StartServerAsync() => RunAsync(Path.Combine(Binaries, "pg_ctl"),
    [
        "-D", Data, "-l", Path.Combine(dataDir, "postgres.log"), "-w", "-t", "60", "start", "-o",
        $"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    ]);

    private static bool IsRoot => Environment.UserName == "root";

    // /usr/sbin is not on every root PATH (CI runners, sudo -E).
    private static string RunUser => File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";

    private static string? FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        if (onPath is not null) return onPath;
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .OrderDescending().FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")))
            : null;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres = true)
    {
        var info = asPostgres && IsRoot ? new ProcessStartInfo(RunUser, ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await RunAsync(Path.Combine(Binaries, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]); }
        catch (InvalidOperationException) when (!File.Exists(Path.Combine(Data, "postmaster.pid"))) { } // already stopped
        finally { Directory.Delete(dataDir, recursive: true); }
    }
}

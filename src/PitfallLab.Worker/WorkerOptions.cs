namespace PitfallLab.Worker;

/// <summary>What the API hands the worker on its command line (<c>--Variant good --Jobs 12 ...</c>) and in ConnectionStrings__Lab.</summary>
public sealed record WorkerOptions(
    string Variant, Guid RunId, int Jobs, int Concurrency, int JobMs, int ShutdownTimeoutMs, string ConnectionString)
{
    public const string Pitfall = "shutdown-cleanup";

    public string ApplicationName => $"pitfalllab/{Pitfall}/{Variant}";

    public TimeSpan ShutdownTimeout => TimeSpan.FromMilliseconds(ShutdownTimeoutMs);

    /// <summary>Good's running jobs get this long after SIGTERM; the rest of the timeout is kept for recording what is left.</summary>
    public TimeSpan DrainBudget => TimeSpan.FromMilliseconds(Math.Max(ShutdownTimeoutMs - 250, ShutdownTimeoutMs / 2));

    public static WorkerOptions From(IConfiguration config)
    {
        var variant = config["Variant"] is "bad" or "good" ? config["Variant"]! : throw new ArgumentException("--Variant must be bad or good");
        return new(
            variant,
            Guid.TryParse(config["RunId"], out var runId) ? runId : throw new ArgumentException("--RunId must be a Guid"),
            Int(config, "Jobs", 1, 100),
            Int(config, "Concurrency", 1, 20),
            Int(config, "JobMs", 0, 60_000),
            Int(config, "ShutdownTimeoutMs", 100, 60_000),
            config.GetConnectionString("Lab") ?? throw new ArgumentException("ConnectionStrings__Lab is not set"));
    }

    private static int Int(IConfiguration config, string key, int min, int max) =>
        int.TryParse(config[key], out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"--{key} must be a whole number between {min} and {max} (got '{config[key]}')");
}

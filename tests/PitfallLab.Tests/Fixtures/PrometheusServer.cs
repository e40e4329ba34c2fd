using System.Globalization;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A real Prometheus (the machine's /usr/bin/prometheus: Debian's package, which CI installs) in a temp dir on a free
/// loopback port, scraping the API and the backend every second under the job names the dashboards and compose use,
/// with the remote-write receiver on (what k6's experimental-prometheus-rw output writes to).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string ApiJob = "pitfalllab-api";
    public const string BackendJob = "pitfalllab-backend";

    private readonly ServiceProcess process;
    private readonly string dir;

    private PrometheusServer(ServiceProcess process, string dir)
    {
        this.process = process;
        this.dir = dir;
        BaseAddress = process.BaseAddress;
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    /// <summary><c>PROMETHEUS_BIN</c> when set (it alone), else <c>prometheus</c> on PATH, else Debian's /usr/bin/prometheus; null when none exists.</summary>
    public static string? FindBinary()
    {
        var chosen = Environment.GetEnvironmentVariable("PROMETHEUS_BIN");
        if (!string.IsNullOrEmpty(chosen))
            return File.Exists(chosen) ? chosen : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "prometheus"))
            .Append("/usr/bin/prometheus")
            .FirstOrDefault(File.Exists);
    }

    public static async Task<PrometheusServer> StartAsync(Uri api, Uri backend)
    {
        // Not a skip: a dashboard nobody checked is what this test exists to prevent.
        var chosen = Environment.GetEnvironmentVariable("PROMETHEUS_BIN");
        var binary = FindBinary() ?? throw new InvalidOperationException(
            (string.IsNullOrEmpty(chosen) ? "prometheus is not installed (none on PATH, no /usr/bin/prometheus): " : $"PROMETHEUS_BIN={chosen} does not exist: ")
            + "`apt-get install prometheus` (Debian's package; .ci/run installs it), or set PROMETHEUS_BIN to its path.");
        var dir = Directory.CreateTempSubdirectory("pitfalllab-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: {ApiJob}
                static_configs: [{"{"} targets: ["{api.Authority}"] {"}"}]
              - job_name: {BackendJob}
                static_configs: [{"{"} targets: ["{backend.Authority}"] {"}"}]
            """);

        var address = $"127.0.0.1:{FreePort.Next()}";
        var info = new ProcessStartInfo(binary);
        foreach (var arg in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address={address}",
            "--web.enable-remote-write-receiver", "--log.level=warn",
        })
            info.ArgumentList.Add(arg);
        try
        {
            return new PrometheusServer(await ServiceProcess.StartAsync("prometheus", info, new Uri($"http://{address}"), "/-/ready", TimeSpan.FromSeconds(30)), dir);
        }
        catch
        {
            DeleteDir(dir);
            throw;
        }
    }

    /// <summary>The series a range query returns (Prometheus's own HTTP API, as Grafana asks it), or the error it answers.</summary>
    public async Task<(IReadOnlyList<JsonElement> Series, string? Error)> QueryRangeAsync(string expr, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = expr,
            ["start"] = Seconds(start),
            ["end"] = Seconds(end),
            ["step"] = step.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        });
        using var response = await Client.PostAsync("/api/v1/query_range", form);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("status").GetString() == "success"
            ? ([.. body.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.Clone())], null)
            : ([], $"{body.GetProperty("errorType").GetString()}: {body.GetProperty("error").GetString()}");
    }

    /// <summary>When Prometheus last scraped <paramref name="job"/> successfully, or null if it has not yet.</summary>
    public async Task<DateTimeOffset?> LastGoodScrapeAsync(string job)
    {
        var body = await Client.GetJsonAsync($"/api/v1/query?query={Uri.EscapeDataString($"timestamp(up{{job=\"{job}\"}} == 1)")}");
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null
            : DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture) * 1000));
    }

    private static string Seconds(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await process.DisposeAsync();
        DeleteDir(dir);
    }

    private static void DeleteDir(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // a TSDB file still being closed: the temp dir is git-ignored and the OS cleans it
    }
}

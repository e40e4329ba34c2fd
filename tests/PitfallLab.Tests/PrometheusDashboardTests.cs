using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace PitfallLab.Tests;

/// <summary>
/// The dashboards (ops/grafana/dashboards/*.json) against a real Prometheus scraping a real API and backend: every
/// PromQL expression of every panel and query variable must return series. A panel that queries a metric nobody
/// exports, or a label nobody sets, fails here by name.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class PrometheusDashboardTests(LabFixture lab, ITestOutputHelper output)
{
    // What the test loads: the values it gives the dashboards' variables. A multi-value selection is Grafana's (a|b).
    private const string Pitfalls = "(blocking-io|whenall-failures|unbounded-concurrency)";
    private static readonly string TestId = $"blocking-io-{DateTime.UtcNow:yyyyMMddTHHmmss}";

    [Fact]
    public async Task EveryDashboardExpressionReturnsSeriesFromARealPrometheusScrapingTheLab()
    {
        var clock = Stopwatch.StartNew();
        await using var api = await lab.StartApiAsync();
        await using var prometheus = await PrometheusServer.StartAsync(api.BaseAddress, lab.Backend.BaseAddress);
        var start = DateTimeOffset.UtcNow;
        await Eventually.HoldsAsync(async () => await prometheus.LastGoodScrapeAsync(PrometheusServer.ApiJob) is not null
            && await prometheus.LastGoodScrapeAsync(PrometheusServer.BackendJob) is not null,
            TimeSpan.FromSeconds(15), "both jobs scraped and up");

        // The speaker's screen: blocking-io's three variants, one after the other, a short open-loop load each.
        foreach (var variant in new[] { "good", "bad", "offloaded" })
            output.WriteLine($"blocking-io {variant,-9} {await Load.AtRateAsync(api.Client, $"/pitfalls/blocking-io/{variant}?delayMs=100", rate: 20, seconds: 2.5, TimeSpan.FromSeconds(10))}");
        // Then one short run of the pitfalls whose counters the lab panels show: errors, 429s, lost writes, polls, leaks.
        await Task.WhenAll(
            LogAsync("whenall-failures bad+good", Load.RunAsync(api.Client, "/pitfalls/whenall-failures/bad", 3, 3), Load.RunAsync(api.Client, "/pitfalls/whenall-failures/good", 3, 3)),
            LogAsync("unbounded-concurrency bad", Load.RunAsync(api.Client, "/pitfalls/unbounded-concurrency/bad?items=60&queryMs=0&delayMs=100&cap=5", 1, 1)),
            LogAsync("busy-polling bad", Load.RunAsync(api.Client, "/pitfalls/busy-polling/bad?jobMs=200", 1, 1, HttpMethod.Post)),
            // The save still waits for the backend when the request has ended, so each is lost after its 201 (with the
            // default 50 ms a run beside stress-ng counted none lost, and the "Lost writes" panel had no series).
            LogAsync("missing-await bad", Load.RunAsync(4, 4, async _ =>
            {
                using var response = await api.Client.PostAsJsonAsync("/pitfalls/missing-await/bad?delayMs=1500", new { userId = 42, amount = 19.99 });
                return response.StatusCode;
            })),
            Abandon.CallsAsync(api.BaseAddress, "/pitfalls/cancellation-leak/bad?queryMs=2000&delayMs=0", clients: 2, abortAfterMs: 300));
        await RemoteWrite.PushAsync(prometheus.Client, K6Series(DateTimeOffset.UtcNow));
        output.WriteLine($"load done at {clock.Elapsed.TotalSeconds:F1} s");

        var queries = GrafanaDashboards.Load().SelectMany(d => GrafanaDashboards.Queries(d.File, d.Json)).ToList();
        var variables = new Dictionary<string, string> { ["pitfall"] = Pitfalls, ["testid"] = TestId, ["job"] = PrometheusServer.ApiJob };
        List<string> empty = [];
        // Counters written after the load (a dropped save failing, a leak reclaimed) reach Prometheus a scrape or two later.
        await Eventually.HoldsAsync(async () =>
        {
            empty = [];
            foreach (var query in queries)
            {
                var expr = GrafanaDashboards.Expand(query.Expr, variables);
                var (series, error) = await prometheus.QueryRangeAsync(expr, start, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1));
                var labelled = query.Label is null ? series : series.Where(s => s.GetProperty("metric").TryGetProperty(query.Label, out var v) && v.GetString() != "").ToList();
                if (error is not null || labelled.Count == 0)
                    empty.Add($"{query}\n    sent: {expr}\n    {error ?? (query.Label is null ? "no series" : $"no series with label {query.Label}")}");
            }
            return empty.Count == 0;
        }, TimeSpan.FromSeconds(15), () => $"{empty.Count} of {queries.Count} expressions returned no series:\n" + string.Join('\n', empty));

        output.WriteLine($"{queries.Count} expressions of {queries.Select(q => q.Dashboard).Distinct().Count()} dashboards returned series; test took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// k6 cannot run here. These are series under the names k6's experimental-prometheus-rw output documents
    /// (K6_PROMETHEUS_RW_TREND_STATS=p(95),p(99), a testid tag, our k6 lib's pitfall/variant/name tags), written through
    /// Prometheus's real remote-write receiver: this checks the k6 dashboard's names and labels, not k6 itself.
    /// </summary>
    private static IEnumerable<WriteSeries> K6Series(DateTimeOffset now)
    {
        var times = Enumerable.Range(0, 30).Select(i => now.AddSeconds(i - 29).ToUnixTimeMilliseconds()).ToList();
        WriteSeries Series(string name, Func<int, double> value, params (string Key, string Value)[] labels) =>
            new(labels.Append(("__name__", name)).Append(("testid", TestId)).ToDictionary(l => l.Item1, l => l.Item2),
                times.Select((t, i) => (t, value(i))).ToList());

        foreach (var (variant, seconds) in new[] { ("good", 0.105), ("bad", 6.2), ("offloaded", 7.1) })
        {
            (string, string)[] request = [("pitfall", "blocking-io"), ("variant", variant), ("name", $"/pitfalls/blocking-io/{variant}"),
                ("method", "GET"), ("status", "200"), ("scenario", variant), ("expected_response", "true")];
            yield return Series("k6_http_reqs_total", i => 50.0 * (i + 1), request);
            yield return Series("k6_http_req_duration_p95", _ => seconds, request);
            yield return Series("k6_http_req_duration_p99", _ => seconds * 1.2, request);
            yield return Series("k6_http_req_failed_rate", _ => variant == "good" ? 0 : 0.3, request);
            yield return Series("k6_checks_rate", _ => variant == "good" ? 1 : 0.7, ("check", "status is 2xx"), ("pitfall", "blocking-io"), ("variant", variant), ("scenario", variant));
            yield return Series("k6_iterations_total", i => 50.0 * (i + 1), ("scenario", variant));
            yield return Series("k6_dropped_iterations_total", i => variant == "good" ? 0 : 3.0 * i, ("scenario", variant));
        }
        yield return Series("k6_vus", _ => 40);
        yield return Series("k6_vus_max", _ => 300);
    }

    private async Task LogAsync(string what, params Task<LoadResult>[] loads)
    {
        foreach (var result in await Task.WhenAll(loads))
            output.WriteLine($"{what}: {result}");
    }

    [Fact]
    public void DashboardsUseThePrometheusDataSourceAndReadThreadPoolFiguresAsGauges()
    {
        var dashboards = GrafanaDashboards.Load();
        Assert.Contains(dashboards, d => d.File == "pitfalllab.json");
        Assert.Contains(dashboards, d => d.File == "k6.json");
        foreach (var (file, json) in dashboards)
        {
            foreach (var panel in GrafanaDashboards.Panels(json).Where(p => p.GetProperty("type").GetString() != "row"))
                Assert.True(panel.GetProperty("datasource").GetProperty("uid").GetString() == "prometheus",
                    $"{file} panel \"{panel.GetProperty("title").GetString()}\" does not use data source uid prometheus");
            // The runtime publishes these two as observable counters (hence _total); they are levels, so no rate().
            foreach (var query in GrafanaDashboards.Queries(file, json))
                Assert.False(RateOfThreadPoolLevel().IsMatch(query.Expr), $"{query}: the thread-pool thread count and queue length are levels: read them without rate()/increase()");
        }
    }

    [GeneratedRegex(@"(rate|increase|irate|delta)\(\s*dotnet_thread_pool_(thread_count|queue_length)")]
    private static partial Regex RateOfThreadPoolLevel();
}

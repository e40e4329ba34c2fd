namespace PitfallLab.Tests;

/// <summary>GET /metrics on both services: Prometheus text of the runtime, ASP.NET Core, Npgsql and the lab's own meters.</summary>
[Collection(LabCollection.Name)]
public sealed class MetricsEndpointTests(LabFixture lab, ITestOutputHelper output)
{
    [Fact]
    public async Task ApiMetricsShowRuntimeAspNetCoreHttpClientNpgsqlAndLabInstruments()
    {
        using (await lab.Api.Client.GetAsync("/pitfalls/blocking-io/good?delayMs=10")) { }
        var text = await ScrapeAsync(lab.Api.Client);

        foreach (var name in new[]
        {
            // System.Runtime: on this runtime the thread-pool levels are observable counters, hence _total (see the README).
            "dotnet_thread_pool_thread_count_total", "dotnet_thread_pool_queue_length_total", "dotnet_thread_pool_work_item_count_total",
            "dotnet_gc_collections_total", "dotnet_process_cpu_time_seconds_total",
            "http_server_request_duration_seconds_bucket", "http_server_active_requests",   // ASP.NET Core
            "http_client_request_duration_seconds_bucket",                                   // HttpClient, the backend calls
            "db_client_connection_count", "db_client_operation_duration_seconds_bucket",     // Npgsql
            "pitfalllab_requests_total",                                                     // the PitfallLab meter
        })
            Assert.True(HasSeries(text, name), $"/metrics has no {name} series:\n{Head(text)}");

        Assert.Contains("http_route=\"/pitfalls/blocking-io/good\"", text);
        Assert.Contains("db_client_connection_pool_name=\"pitfalllab/blocking-io/good\"", text);
        Assert.Contains("pitfall=\"blocking-io\",variant=\"good\"", text);
        // Scrapes are kept out of the request metrics, or they would be the busiest route on the request-rate panels.
        // (Routing's own aspnetcore_routing_match_attempts_total still counts it: no panel reads that one.)
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("http_server_", StringComparison.Ordinal) && l.Contains("http_route=\"/metrics\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BackendMetricsShowRuntimeAspNetCoreAndItsOwnMeter()
    {
        using (await lab.Backend.Client.GetAsync("/users/1?delayMs=0")) { }
        var text = await ScrapeAsync(lab.Backend.Client);

        foreach (var name in new[]
        {
            "dotnet_thread_pool_thread_count_total", "http_server_request_duration_seconds_bucket",
            "pitfalllab_backend_in_flight", "pitfalllab_backend_answers_total",
        })
            Assert.True(HasSeries(text, name), $"backend /metrics has no {name} series:\n{Head(text)}");
        Assert.Contains("http_response_status_code=\"200\"", text);
    }

    private async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {text}");
        output.WriteLine($"{client.BaseAddress}metrics: {text.Split('\n').Count(l => l.Length > 0 && l[0] != '#')} samples, {response.Content.Headers.ContentType}");
        return text;
    }

    private static bool HasSeries(string text, string name) =>
        text.Split('\n').Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));

    private static string Head(string text) => string.Join('\n', text.Split('\n').Where(l => l.StartsWith("# TYPE", StringComparison.Ordinal)));
}

using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PitfallLab.Api.Lab;

/// <summary>
/// OpenTelemetry for the API, in one place: the meters a dashboard reads, served as Prometheus text at
/// <c>/metrics</c>, and traces of requests, backend calls and Npgsql commands. See the README's "Prometheus metrics".
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "pitfalllab-api";
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: set, metrics and traces also go there by OTLP. Unset, traces are not
    /// recorded at all (spans with nowhere to go would only cost the pitfalls' measurements), and metrics stay at /metrics.
    /// An endpoint that does not listen costs failed exports, logged by the SDK's own event source, never a failed request.
    /// </summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IHostApplicationBuilder AddLabTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddRuntimeInstrumentation()        // System.Runtime: dotnet.thread_pool.*, dotnet.gc.*, dotnet.process.cpu.time
                .AddAspNetCoreInstrumentation()     // http.server.request.duration (with http.route), http.server.active_requests
                .AddHttpClientInstrumentation()     // http.client.request.duration: the calls to the backend
                .AddNpgsqlInstrumentation()         // meter Npgsql: db.client.connection.count by pool name and state, ...
                .AddMeter(LabMeter.Name)            // the lab's own counters: pitfalllab.*
                .AddPrometheusExporter());
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c>, kept out of http.server.request.duration: a scrape every second would otherwise be the
    /// busiest route on the request-rate panels. Not in the OpenAPI document (it is no route handler): the README's
    /// "Prometheus metrics" describes it.
    /// </summary>
    public static IEndpointConventionBuilder MapLabMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics();
}

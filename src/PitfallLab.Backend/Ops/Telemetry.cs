using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PitfallLab.Backend.Stats;

namespace PitfallLab.Backend.Ops;

/// <summary>
/// OpenTelemetry for the backend, in one place: runtime, ASP.NET Core and its own meter at <c>/metrics</c>
/// (Prometheus text), and request traces when an OTLP endpoint is configured. See the README's "Prometheus metrics".
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "pitfalllab-backend";
    public const string MetricsPath = "/metrics";

    /// <summary>Set (the standard variable), metrics and traces also go there by OTLP; unset, no span is recorded.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IHostApplicationBuilder AddBackendTelemetry(this IHostApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddMeter(BackendMeter.Name)        // pitfalllab.backend.*: in-flight calls and answers by status (429s)
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            // When the API traces too, its HttpClient sends traceparent: the backend's span joins the API request's trace.
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath)));
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c>, kept out of the http.server metrics so that scrapes do not show as traffic. Not in the
    /// OpenAPI document (it is no route handler): the README's "Prometheus metrics" describes it.
    /// </summary>
    public static IEndpointConventionBuilder MapBackendMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics();
}

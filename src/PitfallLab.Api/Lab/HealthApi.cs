using Microsoft.Extensions.Diagnostics.HealthChecks;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Lab;

public static class HealthApi
{
    public static IServiceCollection AddLabHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<BackendHealthCheck>("backend", tags: ["ready"], timeout: TimeSpan.FromSeconds(5));
        return services;
    }

    public static IEndpointRouteBuilder MapLabHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("zz lab");

        group.MapGet("/", Ready).Describe("Health", "Readiness: the database and the backend answer",
            "200 when PostgreSQL and the downstream backend both answer, 503 otherwise, with one entry per dependency.");

        group.MapGet("/live", () => TypedResults.Ok(new HealthBody("Healthy", 0, new Dictionary<string, HealthEntry>()))).Describe("Liveness", "Liveness: the process answers",
            "200 as long as the API process serves requests; checks no dependency.");

        return routes;
    }

    public static async Task<Results<Ok<HealthBody>, JsonHttpResult<HealthBody>>> Ready(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        var body = new HealthBody(
            report.Status.ToString(),
            Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            report.Entries.ToDictionary(e => e.Key, e => new HealthEntry(
                e.Value.Status.ToString(), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1))));
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthBody(string Status, double TotalMs, IReadOnlyDictionary<string, HealthEntry> Checks);

public sealed record HealthEntry(string Status, string? Description, double Ms);

public sealed class DatabaseHealthCheck(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = db.CreateCommand("SELECT count(*) FROM users");
            var users = await cmd.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PostgreSQL answers; {users} users seeded");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {ex.Message}");
        }
    }
}

public sealed class BackendHealthCheck(BackendClient backend) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await backend.IsHealthyAsync(cancellationToken)
                ? HealthCheckResult.Healthy("backend answers")
                : HealthCheckResult.Unhealthy("backend answered an error");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy($"backend does not answer: {ex.Message}");
        }
    }
}

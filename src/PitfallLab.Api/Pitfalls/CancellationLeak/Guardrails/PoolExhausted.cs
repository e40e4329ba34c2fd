namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// Around both handlers: counts the variant's handlers still running (<c>handlersRunning</c>: the abandon driver waits
/// for them to end), and answers Npgsql's "The connection pool has been exhausted" as a 503 ProblemDetails naming the
/// pool and who holds it. The lab's <see cref="Lab.Guardrails.DependencyOutageHandler"/> would answer a 503 too, but
/// Npgsql's message does not name the pool, and its advice (is PostgreSQL up?) is the wrong one for a leak.
/// </summary>
public static class PoolExhausted
{
    // The exact text Npgsql's pool throws (with an inner TimeoutException) when no connection frees up within Timeout.
    private const string Message = "The connection pool has been exhausted";

    private static readonly LabGauge Running = new PitfallMetrics(CancellationLeakPitfall.Id)
        .Gauge("handlersRunning", "Handlers of the variant running now (their clients may have left)");

    public static long HandlersRunning(this LabMetricsListener stats, string variant) =>
        stats.Value(Running, variant);

    public static EndpointFilterDelegate Filter(string variant, EndpointFilterDelegate next) => async context =>
    {
        Running.Add(variant, 1);
        try
        {
            return await next(context);
        }
        catch (NpgsqlException e) when (e is { InnerException: TimeoutException } && e.Message.StartsWith(Message, StringComparison.Ordinal))
        {
            var pool = SandboxPools.NameOf(CancellationLeakPitfall.Id, variant);
            var leaks = context.HttpContext.RequestServices.GetRequiredService<LeakGuard>().Figures(variant);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: $"The connection pool {pool} is exhausted",
                detail: $"{e.Message} {leaks.OpenNow} of its connections are open, {leaks.LeakedNow} of them held by requests that "
                    + $"have already ended (leaked). The lab's guard closes a leaked connection {leaks.GraceSeconds} s after its "
                    + "request ended; POST /lab/reset closes them at once.",
                extensions: new Dictionary<string, object?> { ["pool"] = pool, ["leakedNow"] = leaks.LeakedNow, ["openNow"] = leaks.OpenNow });
        }
        finally
        {
            Running.Add(variant, -1);
        }
    };
}

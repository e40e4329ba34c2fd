using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Npgsql;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// Around both handlers: counts the variant's handlers still running (the abandon driver waits for them to end), and
/// answers Npgsql's "The connection pool has been exhausted" as a 503 ProblemDetails naming the pool and who holds it,
/// instead of a bare 500.
/// </summary>
public static class PoolExhausted
{
    // The exact text Npgsql's pool throws (with an inner TimeoutException) when no connection frees up within Timeout.
    private const string Message = "The connection pool has been exhausted";

    private static readonly ConcurrentDictionary<string, StrongBox<int>> Running = new(StringComparer.Ordinal);

    public static int HandlersRunning(string variant) => Volatile.Read(ref Running.GetOrAdd(variant, _ => new()).Value);

    public static bool Is(Exception e) =>
        e is NpgsqlException { InnerException: TimeoutException } && e.Message.StartsWith(Message, StringComparison.Ordinal);

    public static EndpointFilterDelegate Filter(string variant, EndpointFilterDelegate next) => async context =>
    {
        var running = Running.GetOrAdd(variant, _ => new());
        Interlocked.Increment(ref running.Value);
        try
        {
            return await next(context);
        }
        catch (NpgsqlException e) when (Is(e))
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
            Interlocked.Decrement(ref running.Value);
        }
    };
}

using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>A dependency the request needed and did not get: which one, where the lab looked for it, what went wrong.</summary>
public sealed record Outage(string Dependency, string Address, int Status, string Title, string Error)
{
    public const string PostgreSql = "PostgreSQL";
    public const string Backend = "the backend";

    // SQLSTATEs that mean "no usable session", not "your SQL is wrong": connection exceptions (08), authorization
    // (28), no such database (3D), out of resources such as too_many_connections (53), operator intervention such as
    // admin_shutdown 57P01, crash_shutdown 57P02, cannot_connect_now 57P03 (57P).
    private static readonly string[] SessionLost = ["08", "28", "3D", "53", "57P"];

    /// <summary>
    /// Finds the outage behind an exception, looking through inner and aggregated exceptions; null when the failure
    /// is not a dependency's (a bug, a SQL error, a designed answer): those keep the default handling.
    /// </summary>
    public static Outage? Find(Exception exception, DependencyAddresses where)
    {
        foreach (var e in Chain(exception))
        {
            switch (e)
            {
                case PostgresException pg when SessionLost.Any(pg.SqlState.StartsWith):
                    return Db(where, $"PostgreSQL ended or refused the session ({pg.SqlState}: {pg.MessageText})");
                case PostgresException:
                    return null; // the server answered: a statement failed, which is not an outage
                case NpgsqlException npg when npg.InnerException is TimeoutException && npg.Message.Contains("pool", StringComparison.OrdinalIgnoreCase):
                    return Db(where, npg.Message, "No PostgreSQL connection was free in time");
                case NpgsqlException npg when npg.InnerException is TimeoutException:
                    return Db(where, $"PostgreSQL did not answer in time: {npg.Message}");
                case NpgsqlException npg:
                    return Db(where, Describe(npg));
                case TimeoutException { Source: "Npgsql" } timeout:
                    return Db(where, timeout.Message);
                case BackendException backend:
                    return new(Backend, where.Backend, StatusCodes.Status502BadGateway, "The backend answered, but not what was expected", backend.Message);
                case HttpRequestException http when http.StatusCode is not null
                    || http.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse:
                    return new(Backend, where.Backend, StatusCodes.Status502BadGateway, "The backend answered, but not what was expected", Describe(http));
                case HttpRequestException http:
                    return new(Backend, where.Backend, StatusCodes.Status503ServiceUnavailable, "The backend cannot be reached", Describe(http));
                case TaskCanceledException { InnerException: TimeoutException } timeout:
                    // HttpClient.Timeout elapsed (a client that went away cancels without a TimeoutException).
                    return new(Backend, where.Backend, StatusCodes.Status503ServiceUnavailable, "The backend did not answer in time", timeout.Message);
            }
        }
        return null;
    }

    private static Outage Db(DependencyAddresses where, string error, string title = "PostgreSQL cannot be reached") =>
        new(PostgreSql, where.PostgreSql, StatusCodes.Status503ServiceUnavailable, title, error);

    private static string Describe(Exception e) =>
        e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.GetType().Name}: {inner.Message})"
            : e.Message;

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Queue<Exception>([exception]);
        while (pending.TryDequeue(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) pending.Enqueue(inner);
            else if (e.InnerException is { } inner)
                pending.Enqueue(inner);
        }
    }
}

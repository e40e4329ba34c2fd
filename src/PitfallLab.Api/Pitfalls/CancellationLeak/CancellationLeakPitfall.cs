using PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak;

public sealed class CancellationLeakPitfall : IPitfall
{
    public const string Id = "cancellation-leak";

    public const string BadLesson = """
        RequestAborted flows nowhere; the catch returns without closing the connection

        A slow report (an aggregate over every order that takes `queryMs`, beside a backend call that takes `delayMs`)
        that passes `RequestAborted` nowhere: not to `OpenConnectionAsync`, not to Dapper (no `CommandDefinition`), not
        to the backend call. It opens its connection with `var conn = ...` (no `await using`) and closes it at the end
        of the `try`; the `catch (OperationCanceledException)` for a client that left just returns, like asyncio's
        `except CancelledError: return`. Clicked once it answers normally. Abandoned, its query runs to the end, its
        backend call too, and then it leaks its connection: 5 abandoned calls empty its 5-connection pool and the next
        call gets a 503 "The connection pool has been exhausted". Swagger cannot abandon a request: use
        `POST /pitfalls/cancellation-leak/abandon?variant=bad`. The lab's guard closes leaked connections
        (`evidence.leaks`) a few seconds after their request ended.
        """;

    public const string GoodLesson = """
        RequestAborted flows to every call; await using closes the connection on every path

        The same report with `RequestAborted` flowing to every call: `OpenConnectionAsync(ct)`, Dapper's
        `CommandDefinition(..., cancellationToken: ct)` (Npgsql then cancels the query server-side: PostgreSQL error
        57014, the session goes idle at once) and the backend call. `await using` disposes the connection on every
        path, the cancelled one included. Abandoned, nothing is left running and nothing leaks: compare
        `POST /pitfalls/cancellation-leak/abandon?variant=good` with `variant=bad`.
        """;

    public const string AbandonLesson = """
        Abandon N real calls to a variant, then show what they left behind

        Makes `clients` real HTTP calls to the variant over loopback and drops each after `abortAfterMs`, as a browser
        tab closed or a client timeout would. Then it answers what was left behind, twice: `afterAbort` (a moment after
        the clients left) and `afterHandlersEnded` (once every abandoned handler has returned): queries still
        `active` in pg_stat_activity for the variant's Application Name, the pool's connections in use, connections
        leaked (open, their request over), backend calls still in flight; and `freshCall`, whether a new call to the
        variant succeeds or fails on an exhausted pool. Bad: queries and backend calls keep running for nobody, then
        its connections leak and the fresh call gets a 503. Good: 0, 0, and the fresh call succeeds.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 7,
        Title: "Cancellation ignored, connection leaked",
        AsyncioOriginal: "`CancelledError` caught and swallowed (`except CancelledError: return`), so the DB connection acquired before it is never released; the fix is `async with pool.acquire()`, which releases on every path, and letting cancellation reach the driver.",
        DotnetMechanism: "ASP.NET Core signals a client that left through `HttpContext.RequestAborted` (the handler's `CancellationToken`), but only code that receives the token stops: a query run without it keeps running in PostgreSQL, a backend call without it keeps running too. A connection opened without `await using` and skipped by an early `return` in a `catch (OperationCanceledException)` is never returned: Npgsql has no finalizer that gives it back and the GC does not help, so the pool loses a slot for good. CA2016 flags the token not forwarded to `OpenConnectionAsync`; nothing flags Dapper without a `CommandDefinition` (its methods take no token) or the missing `await using` (CA2000 does not follow a connection from an awaited factory).",
        Symptom: "Clients that give up (timeouts, closed tabs, retries) leave their queries `active` in pg_stat_activity and their backend calls in flight; then the pool's connections leak one by one until every request waits its pool Timeout and fails with \"The connection pool has been exhausted\", while PostgreSQL shows the leaked sessions `idle`.",
        Fix: "Flow the token to every call: `OpenConnectionAsync(ct)`, Dapper's `CommandDefinition(..., cancellationToken: ct)` (Npgsql cancels server-side), `HttpClient` calls with `ct`. Own the connection with `await using`, so that every path, cancelled or failed, returns it.",
        AnalyzerRules: ["CA2016"],
        Metric: "active queries in pg_stat_activity after clients abort; connections leaked; later requests failing on an exhausted pool");

    /// <summary>The leak guard (a hosted sweep that publishes the pitfall's figures), and the abandon driver's pieces.</summary>
    public void AddServices(IServiceCollection services)
    {
        services.AddOptions<LeakGuardOptions>().BindConfiguration("CancellationLeak").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LeakGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<LeakGuard>());
        services.AddTransient<LeftBehindProbe>();
        services.AddSingleton<Loopback>();
        // Loopback only, and no overall timeout: each call has its own (abortAfterMs, or 10 s for the fresh call).
        services.AddHttpClient(Loopback.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
    }

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", CancellationLeakApi.Bad)
            .AddEndpointFilterFactory((_, next) => PoolExhausted.Filter("bad", next))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithLesson(BadLesson);

        group.MapGet("/good", CancellationLeakApi.Good)
            .AddEndpointFilterFactory((_, next) => PoolExhausted.Filter("good", next))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithLesson(GoodLesson);

        group.MapPost("/abandon", AbandonApi.Abandon).WithLesson(AbandonLesson);
    }
}

namespace PitfallLab.Api.Pitfalls.SharedConnection;

public sealed class SharedConnectionPitfall : IPitfall
{
    public const string Id = "shared-connection";

    public const string BadLesson = """
        K lookups at once with Task.WhenAll, all on one NpgsqlConnection

        Looks up `lookups` users (each: the user and the count and sum of their orders, one query) in parallel with
        `Task.WhenAll`, all on ONE `NpgsqlConnection` opened for the request. A connection is one PostgreSQL session
        and runs one command at a time: the first lookup's query goes out, every other lookup started meanwhile is
        refused on the client with `NpgsqlOperationInProgressException: A command is already in progress: <sql>`.
        Look at `evidence.errorsByType` (count and first message), `itemsOk` 1 of 10, `commandsIssued` 10 against
        `commandsRefused` 9 and `roundTrips` 1, `connectionsUsed` 1 (one click, measured). Which lookups get through
        is a race: one that starts after the running command has finished finds the connection free, so under load
        a few more succeed (70 to 81% of lookups failed in measured bursts of 40 requests). The refused commands never
        reached the server, so the connection itself survives and goes back to the pool clean. No analyzer flags it.
        """;

    public const string GoodLesson = """
        K lookups at once with Task.WhenAll, one pooled connection per lookup

        The same `Task.WhenAll`, but each lookup rents its own connection from the pool (`await using var conn =
        await pool.OpenConnectionAsync(ct)` inside the lambda) and returns it when done: every item succeeds,
        `roundTrips` equals `lookups`, and `connectionsUsed` shows how many server backends it took. The pool is the
        thread-safe object, not the connection. It is also per process, like any `SemaphoreSlim` limiter: two API
        instances each with `Maximum Pool Size=20` held 40 backends in `pg_stat_activity` (measured), so size pools so
        that replicas x pool stays below the server's `max_connections`.
        """;

    public const string BatchedLesson = """
        K lookups in one NpgsqlBatch: one connection, one round trip

        The same lookups as one `NpgsqlBatch` on one connection: one command, one round trip, one result set per
        user. Every item succeeds with `connectionsUsed` 1 and `roundTrips` 1: when the lookups are independent
        queries against the same database, batching them beats both fanning out and sharing.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 9,
        Title: "A non-thread-safe object shared by concurrent flows",
        AsyncioOriginal: "One event loop shared across processes (or threads): a loop, like the connections and locks bound to it, belongs to one process; each process needs its own loop, created there.",
        DotnetMechanism: "An `NpgsqlConnection` (like a `DbContext`, or request-scoped state such as `HttpContext`) is one session for one flow at a time. Parallel tasks that share one get `NpgsqlOperationInProgressException: A command is already in progress` for every command started while another runs. The thread-safe object is the `NpgsqlDataSource` pool. The per-process half: pools and `SemaphoreSlim` limiters live in one process, so two API instances with `Maximum Pool Size=20` hold up to 40 backends (measured: 40).",
        Symptom: "Works in a sequential test, fails under `Task.WhenAll`: most items of a parallel fan-out fail with \"A command is already in progress\", only one command reaches the server at a time. Scaled out, every replica brings its own full pool and PostgreSQL runs out of `max_connections`.",
        Fix: "One pooled connection per concurrent flow (open it inside the task, `await using`), or one `NpgsqlBatch` on one connection for independent queries. Size pools per process: replicas x Maximum Pool Size < max_connections.",
        AnalyzerRules: [],
        Metric: "item error rate by type (NpgsqlOperationInProgressException); commands refused vs round trips; connections used");

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", SharedConnectionApi.Bad).WithLesson(BadLesson);

        group.MapGet("/good", SharedConnectionApi.Good).WithLesson(GoodLesson);

        group.MapGet("/batched", SharedConnectionApi.Batched).WithLesson(BatchedLesson);
    }
}

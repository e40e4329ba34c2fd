using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>
/// Pitfall 2, the module: lesson, services, routes. The lesson on screen is <see cref="MissingAwaitApi"/> (bad and
/// good differ by one <c>await</c>) and <see cref="OrderWriter"/> (the save both call); what bounds damage or
/// measures it is in <c>Guardrails/</c> (the request connection's bounded dispose, the save's notebook, the metrics).
/// </summary>
public sealed class MissingAwaitPitfall : IPitfall
{
    public const string Id = "missing-await";

    public const string BadLesson = """
        201 for an order whose save is not awaited

        Places an order: reserve its id, then `writer.SaveAsync(...)` (validate the customer with the backend, insert the
        order and its audit row in one transaction) — called **without `await`**, behind `#pragma warning disable CS4014`.
        The handler answers 201 with the order id at once, before the backend has even answered: look at `elapsedMs`
        (faster than good!), `evidence.saveStepsAtAck` (nothing done yet) and `evidence.orderVisibleAtAck` (false).
        Then the request ends and its scope disposes the request's connection — under the save, which later fails with
        `ObjectDisposedException` on a Task nobody awaits. GET the `location` now: 404. The loss shows only in the lab's
        tallies: `evidence.totals` on your next click (`lastFailure` names the exception), or
        `pitfalls.missing-await.bad` in `/lab/stats` (`acknowledged` vs `persisted`, `lostAfterAck`).
        """;

    public const string GoodLesson = """
        201 once the order's save has committed

        The same job with the save awaited: the 201 leaves only after the transaction committed, so the order and its
        audit row are readable the moment the client has the id (`evidence.orderVisibleAtAck`: true, every step done),
        and a failure — a backend error, a reused `requestKey` (409) — reaches the client instead of vanishing.
        It is slower than bad by the backend's `delayMs`: that is the price of the work actually being done.
        """;

    public const string ReadLesson = """
        Read an order back: the read-your-write check

        Reads one order back with its audit rows, on its own connection: the read-your-write check. Right after bad's 201
        the order is not there (404), and usually it never will be: its save failed on the disposed connection. Right
        after good's 201 it is there, audit row included.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 2,
        Title: "Missing await",
        AsyncioOriginal: "A coroutine called without `await` never runs (\"coroutine was never awaited\"); a missing await in the middle of a call chain lets the caller go on as if the work were done.",
        DotnetMechanism: "Calling an async method without awaiting it starts it — it runs until its first incomplete await — and hands back a Task nobody watches. The handler goes on, the response is sent before the work finishes, the request's scope disposes what the work still uses (its connection, a DbContext), and the exception that follows is never observed.",
        Symptom: "201 Created, faster than the correct code, for an order that is not in the database: reading it right after the 2xx gives 404, acknowledged writes exceed persisted ones, and no log or status code says so.",
        Fix: "Await every call down the chain (async all the way), and write the order and its audit row in one transaction, so the 2xx means committed. CS4014 flags the dropped Task at compile time (VSTHRD110 does in a caller that is not async); a discard (`_ = SaveAsync(...)`) silences both and fixes nothing. Work that must outlive the request belongs in a tracked queue (see fire-and-forget), never in a dropped Task.",
        AnalyzerRules: ["CS4014"],
        Metric: "acknowledged vs persisted orders; read-your-write failures right after the 2xx");

    // Small and impatient: a save stuck on a disposed connection fails in seconds, not in Npgsql's default 30 s.
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5, CommandTimeoutSeconds: 5);

    /// <summary>
    /// The request-scoped pieces, one set per variant (keyed by it): the request's connection from the variant's sandbox
    /// pool (<c>pitfalllab/missing-await/{variant}</c>), and the writer that uses it. The request's scope disposes them
    /// once the response has been sent.
    /// </summary>
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<OrderReader>().AddSingleton<SaveMetrics>();
        foreach (var variant in (string[])["bad", "good"])
        {
            services.AddKeyedScoped(variant, (sp, _) => new RequestConnection(
                sp.GetRequiredService<SandboxPools>().For(Id, variant, Pool), sp.GetRequiredService<OrderReader>(), variant));
            services.AddKeyedScoped(variant, (sp, _) => new OrderWriter(
                sp.GetRequiredKeyedService<RequestConnection>(variant),
                sp.GetRequiredService<BackendClient>(),
                new SaveLog(sp.GetRequiredService<SaveMetrics>(), variant)));
        }
    }

    public void Map(RouteGroupBuilder group)
    {
        group.MapPost("/bad", MissingAwaitApi.Bad)
            .AddEndpointFilter(MissingAwaitApi.ReplayIsAConflict)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithLesson(BadLesson);

        group.MapPost("/good", MissingAwaitApi.Good)
            .AddEndpointFilter(MissingAwaitApi.ReplayIsAConflict)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithLesson(GoodLesson);

        group.MapGet("/orders/{id}", MissingAwaitApi.ReadOrder)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("MissingAwaitReadOrder")
            .WithLesson(ReadLesson);
    }
}

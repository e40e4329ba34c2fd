using PitfallLab.Api.Lab.Guardrails;

namespace PitfallLab.Api.Pitfalls.BlockingIo;

public sealed class BlockingIoPitfall : IPitfall
{
    public const string Id = "blocking-io";

    public const string BadLesson = """
        Sync IO in an async handler: HttpClient.Send + Dapper Query

        Calls the backend with `HttpClient.Send` and PostgreSQL with Dapper's synchronous `Query`, inside an async handler.
        The request's thread-pool thread sits blocked for the whole IO. One request at a time looks fine; under
        concurrent load the pool runs out of threads, injects new ones slowly (about one or two a second), and every
        request — this one's and everyone else's — queues. Compare `runtime.threadPoolAtStart.queuedWorkItems` and
        `threads` with the good variant's, and run `k6 run k6/pitfalls/blocking-io.js`.
        """;

    public const string GoodLesson = """
        Async all the way: SendAsync + QueryAsync

        The same job with `SendAsync` and `QueryAsync`: while the IO is in flight no thread is held, so a handful of
        pool threads serve hundreds of concurrent requests. Notice `runtime.threadAtEnd` often differs from
        `threadAtStart`: the continuation ran on whichever thread was free.
        """;

    public const string OffloadedLesson = """
        The run_in_executor fix: await Task.Run(syncCall)

        asyncio's `run_in_executor` fix translated literally: `await Task.Run(() => syncCall())`. In a UI app that frees
        the UI thread; in a server there is no special thread to free — `Task.Run` takes another thread from the very
        same pool and blocks it instead. Under load it starves exactly like bad (measured by the test and the k6 script).
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 1,
        Title: "Blocking IO inside async code",
        AsyncioOriginal: "Synchronous IO (requests.get, open) inside `async def` blocks the event loop; the fix is an async client, or run_in_executor.",
        DotnetMechanism: "Synchronous IO (sync Npgsql/Dapper `Query`, `HttpClient.Send`, `Thread.Sleep`) inside an async handler holds a thread-pool thread for the whole IO. Under concurrency the pool starves, and it injects threads slowly.",
        Symptom: "Fine for one request; at a fixed arrival rate p95 latency climbs from the backend delay to seconds, throughput flattens, the thread count creeps up and the queue of work items grows.",
        Fix: "Async all the way: `SendAsync`, `QueryAsync`, `OpenConnectionAsync`, `Task.Delay`. Wrapping the sync call in `Task.Run` (the run_in_executor fix) does not help a server: it blocks another thread of the same pool.",
        AnalyzerRules: ["CA1849", "VSTHRD103"],
        Metric: "p95 latency at a fixed arrival rate; thread-pool threads and queued work items");

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", BlockingIoApi.Bad)
            .BlocksThreads()
            .WithLesson(BadLesson);

        group.MapGet("/good", BlockingIoApi.Good).WithLesson(GoodLesson);

        group.MapGet("/offloaded", BlockingIoApi.Offloaded)
            .BlocksThreads()
            .WithLesson(OffloadedLesson);
    }
}

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

public sealed class UnboundedConcurrencyPitfall : IPitfall
{
    public const string Id = "unbounded-concurrency";

    public const string BadLesson = """
        Every item at once: Task.WhenAll(ids.Select(ProcessAsync))

        Processes a batch of orders (each: one query in PostgreSQL, then one call to the backend) with
        `await Task.WhenAll(ids.Select(ProcessAsync))`: every item starts at once. The pool hands out its 20
        connections and queues the rest; with a 1 s Timeout, the items still queued after 1 s fail with Npgsql's
        "The connection pool has been exhausted". The items that got a connection leave the pool 20 at a time,
        faster than the backend answers them (a call takes longer than a query), so their calls pile up past the
        backend's cap and get 429 Too Many Requests. Look at `evidence.failures` (poolExhausted, tooManyRequests),
        `maxItemsInFlight` (the whole batch), `maxBackendInFlight` against `backendCap`, `maxConnectionWaitMs`, and
        `firstErrors` for the real messages. No analyzer flags this: the same code is fine for ten items.
        """;

    public const string GoodLesson = """
        A bounded fan-out: Parallel.ForEachAsync with MaxDegreeOfParallelism

        The same batch with `Parallel.ForEachAsync` and `MaxDegreeOfParallelism = bound` (asyncio's semaphore):
        at most `bound` items run at once, below the pool's 20 connections and the backend's cap, so nobody waits
        long for a connection and nothing is refused. Zero failures; `maxItemsInFlight` and `maxBackendInFlight`
        never exceed `bound`. Set `bound` above `cap` (or above 20) and watch the failures come back.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 5,
        Title: "Unbounded concurrency",
        AsyncioOriginal: "10,000 tasks at once with asyncio.gather: the connection pool runs dry, memory climbs and the target server rate-limits or bans you; the fix is an asyncio.Semaphore around each task.",
        DotnetMechanism: "`Task.WhenAll(items.Select(ProcessAsync))` starts every item at once. Npgsql's pool hands out at most Maximum Pool Size connections and fails the waiters after its Timeout; the downstream API answers 429 beyond its concurrency cap. No analyzer flags it.",
        Symptom: "Fine for a dozen items; for hundreds, items fail with \"The connection pool has been exhausted\" and 429 Too Many Requests, the backend sees more calls in flight than its cap, and the batch is fast only because half of it failed.",
        Fix: "Bound the fan-out: `Parallel.ForEachAsync` with `MaxDegreeOfParallelism` (or a `SemaphoreSlim`), with the bound at or below the pool size and the downstream's cap. Bound per dependency, not per request, when requests run concurrently.",
        AnalyzerRules: [],
        Metric: "items failed by cause (pool exhausted, 429); backend calls in flight vs its cap; batch time");

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", UnboundedConcurrencyApi.Bad).WithLesson(BadLesson);

        group.MapGet("/good", UnboundedConcurrencyApi.Good).WithLesson(GoodLesson);
    }
}

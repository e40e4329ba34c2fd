namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

public sealed class WhenAllFailuresPitfall : IPitfall
{
    public const string Id = "whenall-failures";

    public const string BadLesson = """
        await Task.WhenAll, catch, answer an error: one failure fails the request

        Fetches `count` users from the backend in parallel and answers `await Task.WhenAll(tasks)`, with one catch
        around it. With the defaults, users 3 and 7 fail after 100 ms and the other 8 arrive after 500 ms. `WhenAll`
        does not stop at the first failure: it waits the full 500 ms for every sibling (nothing cancels them), then
        `await` rethrows only the first exception of its AggregateException (the first in list order, not in time).
        The answer is a 502 naming one failure and no users. Look at `evidence`: `callsFailed` 2 but
        `errorsReported` 1 (`errorsHidden` 1), `callsSucceeded` 8 and `successesDiscarded` 8, and
        `callsCompletedAfterFirstFailure`: the work `WhenAll` waited for and then threw away.
        """;

    public const string GoodLesson = """
        Await every task without throwing: the items that arrived plus every error

        The same fan-out, awaited without throwing (asyncio's `gather(..., return_exceptions=True)`): every task is
        awaited on its own and its failure caught, so the answer is a 200 with the 8 users that arrived plus both
        errors (which id, what failed). One bad item costs one item, not the request: under a 5% item failure rate
        bad fails about 40% of its requests at count=10 (1 - 0.95^10), good none.
        """;

    public const string FailFastLesson = """
        All-or-nothing on purpose: the first failure cancels the siblings

        When all-or-nothing really is the intent, fail fast: the calls share a linked `CancellationTokenSource`
        and the first failure cancels it, so the siblings stop at once (the backend counts them as `aborted`).
        The answer is a 502 after about 100 ms instead of 500, with every error that happened, and
        `evidence.callsCancelled` shows the backend calls saved. `Task.WhenAll` would never do this on its own.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 3,
        Title: "Task.WhenAll failure semantics",
        AsyncioOriginal: "`asyncio.gather` raises the first exception as soon as it happens and the other awaitables keep running: gather does not cancel them (TaskGroup does). Their results and any further errors are lost to the caller; the fix is `return_exceptions=True` and handling each result.",
        DotnetMechanism: "`await Task.WhenAll(tasks)` waits for every task, never cancels any (it has no token to cancel them with), then faults with an AggregateException of all the failures, of which `await` rethrows only the first (in list order). The successful results go with it. No analyzer flags it.",
        Symptom: "One failing item fails the whole request: the successes are thrown away, only one error is reported, and the request still takes as long as the slowest sibling. At a 5% item failure rate, a 10-item fan-out fails about 40% of requests.",
        Fix: "Await each task without throwing and inspect it: return the items that succeeded plus every error. When all-or-nothing is the intent, cancel the siblings at the first failure through a linked CancellationTokenSource.",
        AnalyzerRules: [],
        Metric: "request failure rate vs item failure rate; errors reported vs errors that happened; backend calls completed after the first failure");

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", WhenAllFailuresApi.Bad)
            .WithLesson(BadLesson)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapGet("/good", WhenAllFailuresApi.Good).WithLesson(GoodLesson);

        group.MapGet("/failfast", WhenAllFailuresApi.FailFast)
            .WithName("WhenAllFailuresFailFast")
            .WithLesson(FailFastLesson)
            .ProducesProblem(StatusCodes.Status502BadGateway);
    }
}

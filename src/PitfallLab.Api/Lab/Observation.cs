namespace PitfallLab.Api.Lab;

/// <summary>
/// What every pitfall endpoint answers: the job's result plus the evidence that shows what happened.
/// Clicking bad then good in Swagger UI should teach the pitfall from these numbers alone.
/// </summary>
public sealed record Observation<TResult, TEvidence>(
    string Pitfall,
    string Variant,
    double ElapsedMs,
    TResult Result,
    TEvidence Evidence,
    RuntimeEvidence Runtime);

/// <summary>
/// The process-wide figures: the thread pool when the request started and ended, how many requests of
/// this variant were in flight when it started, which managed thread began and ended it, and this pitfall's pools;
/// then what the runtime itself reported (Lab/Runtime/RuntimeEventListener.cs).
/// </summary>
/// <param name="StarvationEvents">
/// Thread-pool starvation the runtime reported while this request ran: <c>ThreadPoolWorkerThreadAdjustmentAdjustment</c>
/// events with reason Starvation, or with reason CooperativeBlocking when they raise the pool's thread goal (a thread
/// added for one blocked in a Task wait), that the lab's listener received between the request's start and its <c>Finish</c>.
/// Process-wide (any request's blocking starves every request), so it says "the pool was starving during this request",
/// not "this request starved it". The events reach the listener ~10 ms after the fact (measured in a scratch app).
/// </param>
/// <param name="BlockingWaits">
/// Synchronous waits on a Task (<c>.Wait()</c>, <c>.Result</c>, <c>.GetAwaiter().GetResult()</c> on one not yet completed:
/// TplEventSource <c>TaskWaitBegin</c> with behavior Synchronous) made by this request's own flow, from its start to its
/// <c>Finish</c>: work it awaits or starts inherits the count, other requests' waits never enter it. Blocking IO that does
/// not wait on a Task (a synchronous socket read) is not a task wait and is not counted.
/// </param>
public sealed record RuntimeEvidence(
    ThreadPoolFigures ThreadPoolAtStart,
    ThreadPoolFigures ThreadPoolAtEnd,
    int InFlightAtStart,
    int ThreadAtStart,
    int ThreadAtEnd,
    IReadOnlyList<DbPoolFigures> DbPools,
    long StarvationEvents,
    int BlockingWaits);

using PitfallLab.Api.Lab.Guardrails;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

public sealed class SyncOverAsyncPitfall : IPitfall
{
    public const string Id = "sync-over-async";

    public const string BadLesson = """
        Blocks on the async job: GetAwaiter().GetResult()

        A synchronous handler calls the async job (backend lookup, then the user's orders summed in PostgreSQL, both
        async underneath) and blocks on it with `.GetAwaiter().GetResult()` (`.Result` and `.Wait()` do the same).
        The request's pool thread sits blocked until the job completes, and the job's continuations need other pool
        threads, queued behind the new requests. One request looks exactly like good; under concurrent load the pool
        starves, good requests on the same process wait too, and the pool adds threads only a few a second: compare
        `runtime.threadPoolAtStart.threads` with good's, watch `/lab/stats`, run `k6 run k6/pitfalls/sync-over-async.js`.
        Lab guardrail, not part of the lesson: at most `Guardrails:MaxBlockedRequests` (32) bad requests block at
        once, the others wait their turn without a thread (`guardrails` in `/lab/stats`), so the process is back to
        normal seconds after the load stops. With 0 (no cap) the starvation feeds itself and outlasts the load.
        ASP.NET Core has no SynchronizationContext, so here it starves; on a UI thread it deadlocks: see `/deadlock`.
        """;

    public const string GoodLesson = """
        Awaits the async job: async all the way

        The same job, awaited: async all the way. While the IO is in flight no thread waits for it, so a couple of pool
        threads serve the same load that makes bad's latency collapse.
        """;

    public const string DeadlockLesson = """
        The same blocking call on a UI-like thread: a deadlock, bounded and reported

        Runs bad's line, `job.GetAwaiter().GetResult()`, on a dedicated thread with a single-threaded
        SynchronizationContext, the kind a WinForms/WPF UI thread or a classic ASP.NET request has. The job's first
        `await` captures that context, so when the backend answers, the continuation is queued for the UI thread,
        which is blocked waiting for the job. A deadlock, every time: `evidence.blockedOnUiThread.deadlocked` is true,
        `callbacksStuck` is 1 and `firstCallbackPostedAtMs` is about the backend delay: the answer arrived long ago
        and waits for the thread that waits for it. The request waits at most `boundMs`, then the lab rescues the thread
        (its stuck callbacks move to the thread pool, the job finishes, the thread exits): `uiThreadsAlive` 0 and the
        process thread count show that no thread stayed blocked. The contrasts: the same blocking call on a thread
        without a context finishes in the job's time (`blockedWithoutContext`), and `await job` on the same kind of UI
        thread finishes too (`awaitedOnUiThread`): the context is fine, blocking on it is the bug.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 6,
        Title: "Sync over async: blocking on a Task",
        AsyncioOriginal: "Sync code that needs a coroutine's result while the event loop runs: `asyncio.run()` there raises RuntimeError (cannot be called from a running event loop), and `run_coroutine_threadsafe(coro, loop).result()` on the loop's own thread blocks forever: the thread that should run the coroutine is the one waiting.",
        DotnetMechanism: "`.Result`, `.Wait()`, `.GetAwaiter().GetResult()` on a Task. .NET never refuses: under a single-threaded SynchronizationContext (UI thread, classic ASP.NET) the continuation is queued for the very thread that is blocked, a true deadlock; in ASP.NET Core (no context) each blocked request holds a pool thread for the whole IO and the pool starves under load.",
        Symptom: "A UI freezes (a classic ASP.NET request hangs) on the first call, forever. In ASP.NET Core one request is fine, but at a fixed arrival rate p95 climbs from the backend delay to seconds while the thread count grows. Worse than plain sync IO: a blocked request also needs a second pool thread for the job's continuations, queued behind new requests, so once the pool is short almost nothing completes until it has grown by about one thread per waiting request.",
        Fix: "Async all the way: make the caller async and `await`. `ConfigureAwait(false)` on every await in library code avoids the deadlock (the continuation no longer needs the blocked thread) but not the starvation: the caller's thread is still blocked for the whole IO.",
        AnalyzerRules: ["VSTHRD002"],
        Metric: "p95 latency at a fixed arrival rate and thread-pool threads (bad vs good); deadlocked, callbacksStuck and uiThreadsAlive (deadlock)");

    public void Map(RouteGroupBuilder group)
    {
        group.MapGet("/bad", SyncOverAsyncApi.Bad)
            .BlocksThreads()
            .WithLesson(BadLesson);

        group.MapGet("/good", SyncOverAsyncApi.Good).WithLesson(GoodLesson);

        group.MapGet("/deadlock", SyncOverAsyncApi.Deadlock).WithLesson(DeadlockLesson);
    }
}

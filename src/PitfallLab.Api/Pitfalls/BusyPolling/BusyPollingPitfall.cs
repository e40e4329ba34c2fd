namespace PitfallLab.Api.Pitfalls.BusyPolling;

public sealed class BusyPollingPitfall : IPitfall
{
    public const string Id = "busy-polling";

    public const string BadLesson = """
        Wait for a job by polling its row with await Task.Yield()

        Starts a job (a `jobs` row that an in-process worker marks done after `jobMs`) and waits for it the way
        `while not done: await asyncio.sleep(0)` does: read the row, `await Task.Yield()`, read again. Every turn is a
        database round trip, so `evidence.queriesWhileWaiting` runs into the hundreds or thousands for a 300 ms job,
        `processCpuMs` shows the API busy for most of the wait (and a PostgreSQL backend answers every query), and
        `processThreadPoolWorkItems` counts the yields. It notices the job quickly (`noticedAfterMs`) only because it
        never stops asking. Under concurrent load the spinning waiters take the CPU and the database from everyone
        else: `k6 run k6/pitfalls/busy-polling.js` times an unrelated probe while they run.
        `await Task.Delay(0)` would be worse still: it returns an already-completed task, so it does not even yield.
        """;

    public const string GoodLesson = """
        Wait for a job with PostgreSQL LISTEN/NOTIFY and a timeout

        The same job, waited for with PostgreSQL `LISTEN/NOTIFY`: the worker's completing statement calls `pg_notify`,
        the waiter `LISTEN`s on its own connection and sleeps in Npgsql's `WaitAsync` (no thread, no query) until the
        notification naming its job arrives or `timeoutMs` passes. It reads the row once right after `LISTEN`: a job
        that finished before the `LISTEN` notified nobody, and skipping that read is the classic lost-wakeup bug
        (try `jobMs=0`). Compare `queriesWhileWaiting` (3), `processCpuMs` and `noticedAfterMs` (a few ms) with bad's.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 8,
        Title: "Busy polling instead of waiting",
        AsyncioOriginal: "`await asyncio.sleep(0)` in a polling loop is not a fairness guarantee: it hands the loop over once and comes straight back, so the loop burns CPU and hammers what it polls. Wait with real intervals, or on a real signal.",
        DotnetMechanism: "Polling with `await Task.Yield()` puts the continuation at the back of the thread-pool queue (ASP.NET Core has no SynchronizationContext) and asks again at once: every turn costs a database round trip and CPU. `await Task.Delay(0)` does not even yield: `Task.Delay(0)` returns an already-completed task, so the await continues synchronously. Neither one waits.",
        Symptom: "One request looks fine, and even notices the job quickly. But each wait sends hundreds to thousands of queries and keeps a core busy for its whole length; with a few concurrent waiters the CPU and the database saturate and unrelated requests slow down.",
        Fix: "Wait on a signal: PostgreSQL `LISTEN/NOTIFY` through Npgsql (`WaitAsync` with a timeout), reading the row once after `LISTEN` so that a job finished earlier is not missed. Without a signal, poll with a `PeriodicTimer` at a sane interval (hundreds of ms) and a bound. No analyzer flags a polling loop: only CPU, database load and latency show it.",
        AnalyzerRules: [],
        Metric: "DB queries per wait; process CPU during the wait; latency of an unrelated probe request while waiters run");

    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton<BusyPollingWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<BusyPollingWorker>());
    }

    public void Map(RouteGroupBuilder group)
    {
        group.MapPost("/bad", BusyPollingApi.Bad).WithLesson(BadLesson);

        group.MapPost("/good", BusyPollingApi.Good).WithLesson(GoodLesson);
    }
}

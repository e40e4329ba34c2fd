using PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup;

public sealed class ShutdownCleanupPitfall : IPitfall
{
    public const string Id = "shutdown-cleanup";

    private const string Experiment = """
        The lab starts PitfallLab.Worker, a generic host (`Host.CreateApplicationBuilder`) in its own process, hands it
        `jobs` jobs (each holds a pooled connection, Application Name `pitfalllab/shutdown-cleanup/{variant}`, for `jobMs`,
        then writes its row in `shutdown_jobs`; `concurrency` run at once), and sends it a real SIGTERM `stopAfterMs`
        later, as a deploy or a scale-down does. Why a process and not an in-process `IHost.StopAsync`: only a process
        that really exits cuts its Task.Run work off and drops its sockets, and only then does PostgreSQL show what a dead
        client left running. The answer counts the run's rows in PostgreSQL and the worker's backends in pg_stat_activity.
        """;

    public const string BadLesson = "SIGTERM a worker whose jobs were Task.Run and forgotten, and whose loop ignores stoppingToken\n\n" + Experiment + """


        Bad (src/PitfallLab.Worker/Bad/ForgetfulWorker.cs): each job is `_ = Task.Run(...)` and forgotten, the
        BackgroundService then polls for more work with `Task.Delay` and never looks at its `stoppingToken` (CA2016), and
        the data source is registered as an instance nobody disposes (CA2000). At SIGTERM the host waits for the
        stubborn service the whole `shutdownTimeoutMs` (`evidence.stopMs`), gives up, and the process exits under its
        running jobs with exit code 0: `result.lost` jobs have no row at all, and `evidence.queriesStillRunning` of
        their queries go on in PostgreSQL for a client that is gone (the lab then ends them: `closedByLab`).
        """;

    public const string GoodLesson = "SIGTERM a worker that drains a tracked queue and records what it could not finish\n\n" + Experiment + """


        Good (src/PitfallLab.Worker/Good/DrainingWorker.cs): jobs go through a Channel read by `concurrency` consumers,
        and every job is tracked until it completes. At SIGTERM the consumers stop taking jobs, the running ones get
        until a drain deadline inside the ShutdownTimeout and are then cancelled through their token (Npgsql cancels
        the query on the server), every job not completed is written as a 'pending' row, and the container disposes
        the data source, closing every connection. `result`: enqueued = completed + recordedPending, `lost` 0;
        `evidence.connectionsLeft` 0; the stop ends before the timeout.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 4,
        Title: "Shutdown with work in flight",
        AsyncioOriginal: "The event loop is closed while tasks are still pending and async generators are suspended: asyncio warns \"Task was destroyed but it is pending!\", `finally` blocks never run, connections are never closed. The fix: on shutdown cancel the tasks, `gather` them, `loop.shutdown_asyncgens()`, then close resources and the loop (what `asyncio.run` does for you).",
        DotnetMechanism: "On SIGTERM the generic host cancels each BackgroundService's `stoppingToken` and waits for it at most `HostOptions.ShutdownTimeout` (30 s by default); then `Main` returns and the process exits, whatever is still running. Work started with `Task.Run` and forgotten is invisible to the host: it dies mid-way with the process. A service that ignores its token makes every stop take the whole timeout. A data source nobody disposes never closes its connections, and a query whose client died keeps running on the server until it next talks to the client.",
        Symptom: "After every deploy some jobs were neither done nor reported: no error, no log line, exit code 0. Stops take exactly the shutdown timeout, and PostgreSQL shows queries still running for a process that no longer exists.",
        Fix: "Give background work an owner the host knows: a tracked queue (`Channel`) drained by a `BackgroundService` that honours its `stoppingToken`, passes a token to every call so that cancellation reaches the server, finishes what it can within a ShutdownTimeout you chose, and records what it could not finish (pending or requeued) before it exits; let the container own and dispose the data source.",
        AnalyzerRules: ["CA2016", "CA2000"],
        Metric: "jobs lost (enqueued − completed − recorded as pending, from the rows); connections left in pg_stat_activity after the stop; how long the stop took");

    // The lab's side of the experiment: at most WorkerSlots.Max workers at once, and the ledger that counts their rows.
    public void AddServices(IServiceCollection services) =>
        services.AddSingleton<WorkerSlots>().AddSingleton<RunLedger>().AddSingleton<ShutdownRuns>();

    public void Map(RouteGroupBuilder group)
    {
        group.MapPost("/bad", ShutdownCleanupApi.Bad)
            .WithLesson(BadLesson)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/good", ShutdownCleanupApi.Good)
            .WithLesson(GoodLesson)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}

using PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

public sealed class FireAndForgetPitfall : IPitfall
{
    public const string Id = "fire-and-forget";

    public const string BadLesson = """
        202, then _ = Task.Run(charge): nobody will know it failed

        Answers 202 Accepted, then starts the charge with `_ = Task.Run(...)` and forgets the Task. By default the payment
        provider declines (failRate=1) and nobody ever knows: `result.statusUrl` is null (GET /jobs/{chargeId} answers 404),
        no log line, no job record. The discard `_ =` is what silences both rules that flag an ignored Task (CS4014,
        VSTHRD110). Compare `evidence.soFar.failuresHappened` (the lab counts them inside the charge) with
        `failuresVisible` (0). At best the exception resurfaces as `TaskScheduler.UnobservedTaskException` after some
        future GC, without the request: POST /pitfalls/fire-and-forget/collect forces that GC.
        """;

    public const string GoodLesson = """
        202 with a job: bounded Channel + BackgroundService that records and logs failures

        Records the charge as a queued job, then puts it on a bounded `Channel` (capacity 100; when full the answer is
        503, never a silent drop) read by a `BackgroundService` that runs each charge in a try/catch: the job ends `done`
        or `failed` with its error, and every failure is logged with the job id. The 202 carries a Location header and
        `result.statusUrl`: follow it and watch queued, running, then failed. `failuresVisible` keeps up with
        `failuresHappened`.
        """;

    public const string StatusLesson = """
        A charge job's status: queued, running, done or failed with its error

        A good charge's job record: `queued`, `running`, `done` (with `payload.orderId`) or `failed` with `error`.
        A chargeId from /bad answers 404: fire-and-forget work leaves nothing to ask about.
        """;

    public const string CollectLesson = """
        Force a GC: the only place bad's lost exceptions ever show up

        Forces a full collection (GC.Collect, WaitForPendingFinalizers, GC.Collect). A faulted Task nobody observed raises
        `TaskScheduler.UnobservedTaskException` only when the GC finalizes it: bad's lost charges show up here, counted
        process-wide, with the exception's message but without the request, the caller or any retry. Since .NET 4.5
        the event does not crash the process; it is the only trace. `result.after.fromThisPitfall` counts this
        pitfall's charges, `total` every unobserved Task of the process.
        """;

    public PitfallEntry Entry { get; } = new(
        Id: Id,
        Number: 10,
        Title: "Fire-and-forget tasks",
        AsyncioOriginal: "A task created and never awaited fails: asyncio only logs \"Task exception was never retrieved\" when the task is garbage-collected, and nobody else sees the error. The fix: keep a reference and await it, add a done-callback, or use a TaskGroup.",
        DotnetMechanism: "A `Task` nobody observes (`_ = Task.Run(...)`, an unawaited call) keeps its exception to itself; at best `TaskScheduler.UnobservedTaskException` fires on the finalizer thread after a GC (it has not crashed the process since .NET 4.5). `async void` is the extreme of the same mistake: the exception is rethrown on the thread pool and terminates the whole process (measured on .NET 10: a minimal ASP.NET Core app answered 202, then aborted with exit code 134 the moment its async void method threw, and the next request found no server).",
        Symptom: "The client got 202 Accepted, the work failed, and there is no log line, no job record, no status to ask: failures that happened outnumber failures anyone can see. A later GC may count them in UnobservedTaskException, without context.",
        Fix: "Hand background work to an owner: a bounded `Channel` read by a `BackgroundService` that catches, records and logs every failure, and a job status endpoint. Never `async void` outside event handlers.",
        AnalyzerRules: ["CS4014", "VSTHRD110", "VSTHRD100"],
        Metric: "failures that happened vs failures anyone can see (job status + log); unobserved task exceptions after a forced GC");

    public void AddServices(IServiceCollection services)
    {
        // Subscribed to TaskScheduler.UnobservedTaskException from startup, before any charge can be lost.
        services.AddSingleton<UnobservedTasks>();
        services.AddHostedService(sp => sp.GetRequiredService<UnobservedTasks>());
        services.AddSingleton<Charge>();
        services.AddSingleton<ChargeJobs>();
        services.AddSingleton<ChargeQueue>();
        services.AddHostedService<ChargeWorker>();
    }

    public void Map(RouteGroupBuilder group)
    {
        group.MapPost("/bad", FireAndForgetApi.Bad)
            .CountsCharges("bad")
            .WithLesson(BadLesson);

        group.MapPost("/good", FireAndForgetApi.Good)
            .CountsCharges("good")
            .WithLesson(GoodLesson)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/jobs/{id}", FireAndForgetApi.Job)
            .WithName("FireAndForgetJob")
            .WithLesson(StatusLesson)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/collect", FireAndForgetApi.Collect).WithLesson(CollectLesson);
    }
}

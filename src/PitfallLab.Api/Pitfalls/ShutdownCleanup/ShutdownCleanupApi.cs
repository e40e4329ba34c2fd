using Microsoft.AspNetCore.Http.HttpResults;
using PitfallLab.Api.Lab;
using PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup;

/// <summary>
/// Pitfall 4: a host stopped while work is in flight. Both endpoints run the same experiment on a real worker
/// process (PitfallLab.Worker) and send it SIGTERM; the lesson's lines are the worker's: Bad/ForgetfulWorker.cs
/// against Good/DrainingWorker.cs.
/// </summary>
public static class ShutdownCleanupApi
{
    private const string Id = ShutdownCleanupEntry.Id;

    public static IServiceCollection AddShutdownCleanup(this IServiceCollection services) =>
        services.AddLabCounters<ShutdownCleanupCounters>()
            .AddSingleton<WorkerSlots>().AddSingleton<RunLedger>().AddSingleton<ShutdownRuns>();

    public static RouteGroupBuilder MapShutdownCleanup(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup($"/pitfalls/{Id}").WithTags(ShutdownCleanupEntry.Value.Tag);

        group.MapPost("/bad", Bad)
            .WithName("ShutdownCleanupBad")
            .WithSummary("SIGTERM a worker whose jobs were Task.Run and forgotten, and whose loop ignores stoppingToken")
            .WithDescription(ShutdownCleanupEntry.BadLesson)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/good", Good)
            .WithName("ShutdownCleanupGood")
            .WithSummary("SIGTERM a worker that drains a tracked queue and records what it could not finish")
            .WithDescription(ShutdownCleanupEntry.GoodLesson)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    public static async Task<Results<Ok<Observation<JobsOutcome, StopEvidence>>, ProblemHttpResult>> Bad(
        [AsParameters] ShutdownKnobs knobs, ShutdownRuns runs, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        return await runs.RunAsync(watch, knobs, ct);
    }

    public static async Task<Results<Ok<Observation<JobsOutcome, StopEvidence>>, ProblemHttpResult>> Good(
        [AsParameters] ShutdownKnobs knobs, ShutdownRuns runs, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        return await runs.RunAsync(watch, knobs, ct);
    }
}

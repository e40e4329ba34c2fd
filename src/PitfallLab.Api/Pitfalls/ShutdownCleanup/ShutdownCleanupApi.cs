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
    private const string Id = ShutdownCleanupPitfall.Id;

    public static IServiceCollection AddShutdownCleanup(this IServiceCollection services) =>
        services.AddLabCounters<ShutdownCleanupCounters>()
            .AddSingleton<WorkerSlots>().AddSingleton<RunLedger>().AddSingleton<ShutdownRuns>();

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

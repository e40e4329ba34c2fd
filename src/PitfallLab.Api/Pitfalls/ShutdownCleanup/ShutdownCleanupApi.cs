using PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup;

/// <summary>
/// Pitfall 4: a host stopped while work is in flight. Both endpoints run the same experiment on a real worker
/// process (PitfallLab.Worker) and send it SIGTERM, so they differ only in the variant they ask for: the lesson's
/// lines are the worker's, src/PitfallLab.Worker/Bad/ForgetfulWorker.cs against Good/DrainingWorker.cs.
/// </summary>
public static class ShutdownCleanupApi
{
    public static Task<Results<Ok<Observation<JobsOutcome, StopEvidence>>, ProblemHttpResult>> Bad(
        [AsParameters] ShutdownKnobs knobs, ShutdownRuns runs, CancellationToken ct) => runs.RunAsync("bad", knobs, ct);

    public static Task<Results<Ok<Observation<JobsOutcome, StopEvidence>>, ProblemHttpResult>> Good(
        [AsParameters] ShutdownKnobs knobs, ShutdownRuns runs, CancellationToken ct) => runs.RunAsync("good", knobs, ct);
}

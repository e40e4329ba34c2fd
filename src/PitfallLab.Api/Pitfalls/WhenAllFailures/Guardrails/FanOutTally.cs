using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

/// <summary>
/// What really happened to one request's backend calls, counted as each ends (succeeded, failed, cancelled), held up
/// against what the answer carries: that gap is the pitfall. Measures only: the calls do not depend on it.
/// </summary>
public sealed class FanOutTally
{
    private readonly long started = Stopwatch.GetTimestamp();
    private int callsStarted, succeeded, failed, cancelled, completedAfterFirstFailure;
    private long firstFailureAt; // a Stopwatch timestamp; 0 until a call fails

    public void Started() => Interlocked.Increment(ref callsStarted);

    public void Succeeded() => Completed(ref succeeded);

    public void Failed()
    {
        Completed(ref failed);
        Interlocked.CompareExchange(ref firstFailureAt, Stopwatch.GetTimestamp(), 0);
    }

    public void Cancelled() => Interlocked.Increment(ref cancelled);

    private void Completed(ref int outcome)
    {
        Interlocked.Increment(ref outcome);
        if (Interlocked.Read(ref firstFailureAt) != 0)
            Interlocked.Increment(ref completedAfterFirstFailure);
    }

    /// <summary>Read once every call has ended: the calls against what the answer carries.</summary>
    public FanOutEvidence Evidence(int requested, FetchResult answer)
    {
        double? firstFailureAtMs = firstFailureAt == 0 ? null
            : Math.Round(Stopwatch.GetElapsedTime(started, firstFailureAt).TotalMilliseconds, 1);
        return new(
            requested, callsStarted, succeeded, failed, cancelled, succeeded + failed,
            firstFailureAtMs, completedAfterFirstFailure,
            answer.Items.Count, answer.Errors.Count,
            SuccessesDiscarded: succeeded - answer.Items.Count,
            ErrorsHidden: failed - answer.Errors.Count);
    }
}

using System.Diagnostics;
using System.Text.Json;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>
/// One request's fan-out: a backend call per id, all started at once, each counted as it ends (succeeded,
/// failed, cancelled). Those counts are what really happened; the evidence holds the answer up against them.
/// </summary>
public sealed class UserFanOut(BackendClient backend, WhenAllFailuresKnobs knobs)
{
    private readonly long started = Stopwatch.GetTimestamp();
    private int callsStarted, succeeded, failed, cancelled, completedAfterFirstFailure;
    private long firstFailureAt; // a Stopwatch timestamp; 0 until a call fails

    /// <summary>Starts every call; with <paramref name="cancelOnFailure"/>, the first failure cancels it (fail-fast).</summary>
    public List<Task<BackendUser>> Start(CancellationToken ct, CancellationTokenSource? cancelOnFailure = null) =>
        knobs.Ids.Select(id => FetchAsync(id, ct, cancelOnFailure)).ToList();

    private async Task<BackendUser> FetchAsync(int id, CancellationToken ct, CancellationTokenSource? cancelOnFailure)
    {
        Interlocked.Increment(ref callsStarted);
        try
        {
            var user = await backend.GetUserAsync(id, knobs.Call, ct);
            Completed(ref succeeded);
            return user;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref cancelled);
            throw;
        }
        catch (Exception ex)
        {
            Completed(ref failed);
            Interlocked.CompareExchange(ref firstFailureAt, Stopwatch.GetTimestamp(), 0);
            if (cancelOnFailure is not null)
                await cancelOnFailure.CancelAsync();
            throw new ItemFailedException(Describe(id, ex), ex);
        }
    }

    private void Completed(ref int outcome)
    {
        Interlocked.Increment(ref outcome);
        if (Interlocked.Read(ref firstFailureAt) != 0)
            Interlocked.Increment(ref completedAfterFirstFailure);
    }

    /// <summary>Read once every call has ended: the calls against what the answer carries.</summary>
    public FanOutEvidence Evidence(FetchResult answer)
    {
        double? firstFailureAtMs = firstFailureAt == 0 ? null
            : Math.Round(Stopwatch.GetElapsedTime(started, firstFailureAt).TotalMilliseconds, 1);
        return new(
            knobs.Count, callsStarted, succeeded, failed, cancelled, succeeded + failed,
            firstFailureAtMs, completedAfterFirstFailure,
            answer.Items.Count, answer.Errors.Count,
            SuccessesDiscarded: succeeded - answer.Items.Count,
            ErrorsHidden: failed - answer.Errors.Count);
    }

    private static ItemError Describe(int id, Exception ex) => ex is BackendException backendError
        ? new(id, (int)backendError.Status, ProblemDetail(backendError.Detail) ?? backendError.Message)
        : new(id, null, ex.Message);

    // The backend fails with a ProblemDetails ("id 3 is in failIds"); its detail says it best.
    private static string? ProblemDetail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One call of the fan-out failed; <see cref="Error"/> says which id and why.</summary>
public sealed class ItemFailedException(ItemError error, Exception inner)
    : Exception($"user {error.Id} failed: {error.Error}", inner)
{
    public ItemError Error { get; } = error;
}

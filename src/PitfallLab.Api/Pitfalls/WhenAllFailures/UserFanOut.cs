using System.Text.Json;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>
/// One request's fan-out: a backend call per id, all started at once, each reported to the tally as it ends.
/// </summary>
public sealed class UserFanOut(BackendClient backend, WhenAllFailuresKnobs knobs)
{
    private readonly FanOutTally tally = new();

    /// <summary>Starts every call; with <paramref name="cancelOnFailure"/>, the first failure cancels it (fail-fast).</summary>
    public List<Task<BackendUser>> Start(CancellationToken ct, CancellationTokenSource? cancelOnFailure = null) =>
        knobs.Ids.Select(id => FetchAsync(id, ct, cancelOnFailure)).ToList();

    private async Task<BackendUser> FetchAsync(int id, CancellationToken ct, CancellationTokenSource? cancelOnFailure)
    {
        tally.Started();
        try
        {
            var user = await backend.GetUserAsync(id, knobs.Call, ct);
            tally.Succeeded();
            return user;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            tally.Cancelled();
            throw;
        }
        catch (Exception ex)
        {
            tally.Failed();
            if (cancelOnFailure is not null)
                await cancelOnFailure.CancelAsync();
            throw new ItemFailedException(Describe(id, ex), ex);
        }
    }

    /// <summary>Read once every call has ended: the calls against what the answer carries.</summary>
    public FanOutEvidence Evidence(FetchResult answer) => tally.Evidence(knobs.Count, answer);

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

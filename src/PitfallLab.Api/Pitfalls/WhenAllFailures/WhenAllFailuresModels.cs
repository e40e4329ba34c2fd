using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>The knobs: how many users to fetch, and how the backend fails them.</summary>
public sealed record WhenAllFailuresKnobs(
    [property: Knob(1, 200, "How many users to fetch in parallel: ids firstId..firstId+count-1.")] int Count = 10,
    [property: Knob(1, 1_000_000, "The first user id fetched.")] int FirstId = 1,
    [property: TextKnob(@"^\s*(\d{1,7}\s*(,\s*\d{1,7}\s*){0,199})?$", "at most 200 comma-separated ids between 0 and 9999999, such as 3,7",
        "Ids the backend always fails, comma-separated (e.g. 3,7); empty for none.")]
    string? FailIds = "3,7",
    [property: Knob(0.0, 1.0, "Probability that the backend fails any one call, e.g. 0.05.")] double FailRate = 0,
    [property: Knob(0, int.MaxValue, "Makes failRate's choices repeatable: same seed and id, same outcome. Empty: truly random.")] int? Seed = null,
    [property: Knob(0, 5000, "How long a successful backend call takes, in ms.")] int DelayMs = 500,
    [property: Knob(0, 5000, "How long a failing backend call takes, in ms. Shorter than delayMs, so the siblings are still running when it fails.")] int FailAfterMs = 100)
{
    public IReadOnlyList<int> Ids => Enumerable.Range(FirstId, Count).ToList();

    public BackendCall Call => new(DelayMs, FailIds: FailIds, FailRate: FailRate, Seed: Seed, FailAfterMs: FailAfterMs);
}

/// <summary>One item that failed: which id, the HTTP status the backend answered (null: no answer), and why.</summary>
public sealed record ItemError(int Id, int? Status, string Error);

/// <summary>The job's result: the users in the answer and the errors in the answer.</summary>
public sealed record FetchResult(IReadOnlyList<BackendUser> Items, IReadOnlyList<ItemError> Errors);

/// <summary>
/// What happened to the backend calls (<c>calls*</c>) against what the answer says (<c>itemsReturned</c>,
/// <c>errorsReported</c>); the gap between the two is the pitfall.
/// </summary>
public sealed record FanOutEvidence(
    int Requested,
    int CallsStarted,
    int CallsSucceeded,
    int CallsFailed,
    int CallsCancelled,
    int CallsCompleted,
    double? FirstFailureAtMs,
    int CallsCompletedAfterFirstFailure,
    int ItemsReturned,
    int ErrorsReported,
    int SuccessesDiscarded,
    int ErrorsHidden);

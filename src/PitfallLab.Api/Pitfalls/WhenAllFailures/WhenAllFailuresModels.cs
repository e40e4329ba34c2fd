using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>The knobs: how many users to fetch, and how the backend fails them.</summary>
public sealed record WhenAllFailuresKnobs(
    [property: FromQuery(Name = "count")]
    [property: Description("How many users to fetch in parallel (1..200): ids firstId..firstId+count-1.")]
    [property: Range(1, 200, ErrorMessage = "count must be between 1 and 200.")]
    int Count = 10,
    [property: FromQuery(Name = "firstId")]
    [property: Description("The first user id fetched (1..1000000).")]
    [property: Range(1, 1_000_000, ErrorMessage = "firstId must be between 1 and 1000000.")]
    int FirstId = 1,
    [property: FromQuery(Name = "failIds")]
    [property: Description("Ids the backend always fails, comma-separated (e.g. 3,7); empty for none.")]
    [property: RegularExpression(@"^\s*(\d{1,7}\s*(,\s*\d{1,7}\s*){0,199})?$", ErrorMessage = "failIds must be at most 200 comma-separated ids between 0 and 9999999, such as 3,7.")]
    string? FailIds = "3,7",
    [property: FromQuery(Name = "failRate")]
    [property: Description("Probability (0..1) that the backend fails any one call, e.g. 0.05.")]
    [property: Range(0.0, 1.0, ErrorMessage = "failRate must be between 0 and 1.")]
    double FailRate = 0,
    [property: FromQuery(Name = "seed")]
    [property: Description("Makes failRate's choices repeatable: same seed and id, same outcome (0..2147483647). Empty: truly random.")]
    [property: Range(0, int.MaxValue, ErrorMessage = "seed must be between 0 and 2147483647.")]
    int? Seed = null,
    [property: FromQuery(Name = "delayMs")]
    [property: Description("How long a successful backend call takes, in ms (0..5000).")]
    [property: Range(0, 5000, ErrorMessage = "delayMs must be between 0 and 5000.")]
    int DelayMs = 500,
    [property: FromQuery(Name = "failAfterMs")]
    [property: Description("How long a failing backend call takes, in ms (0..5000). Shorter than delayMs, so the siblings are still running when it fails.")]
    [property: Range(0, 5000, ErrorMessage = "failAfterMs must be between 0 and 5000.")]
    int FailAfterMs = 100)
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

using System.Text.Json;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>The knobs: who to charge, how much, how likely the payment provider (the backend) declines, how slow it is.</summary>
public sealed record ChargeKnobs(
    [property: Knob(1, 5000, "Which seeded customer to charge.")] int CustomerId = 13,
    [property: Knob(1, 1_000_000, "The amount to charge, in cents.")] int AmountCents = 4200,
    [property: Knob(0.0, 1.0, "Share of customers whose charge the payment provider declines. Decided per customerId with a fixed seed: the same customer always gets the same answer. 1 (default): every charge fails, so one click shows where the failure goes.")] double FailRate = 1,
    [property: Knob(0, 5000, "How long the payment provider takes to answer, success or failure, in ms. The 202 does not wait for it.")] int DelayMs = 200)
{
    private const int DeclineSeed = 10;

    // failAfterMs = delayMs: a declined charge takes as long as a successful one, as at a real provider.
    public BackendCall Call => new(DelayMs: DelayMs, FailRate: FailRate, Seed: DeclineSeed, FailAfterMs: DelayMs);
}

/// <summary>One accepted charge: its id is the job id (good) or a key nobody can look up (bad).</summary>
public sealed record ChargeWork(Guid ChargeId, ChargeKnobs Knobs);

/// <summary>What the 202 tells the caller: the charge id, where to ask about it (null: nowhere), and who finds out if it fails.</summary>
public sealed record ChargeAccepted(Guid ChargeId, string? StatusUrl, string IfItFails);

/// <summary>
/// How the work was handed off, and this variant's totals so far: failures that happened (the lab counts them inside
/// the charge itself, a view real code does not have) against failures anyone can see (a job record plus a log line),
/// and how many of this pitfall's lost charges UnobservedTaskException has reported so far (only after a GC).
/// </summary>
public sealed record DispatchEvidence(string Dispatch, int? QueueDepth, ChargeFigures SoFar, long UnobservedSoFar);

public sealed record ChargeFigures(long Accepted, long Rejected, long Succeeded, long FailuresHappened, long FailuresVisible);

/// <summary>Process-wide UnobservedTaskException events, and those that carried a failed charge of this pitfall.</summary>
public sealed record UnobservedFigures(long Total, long FromThisPitfall, IReadOnlyList<string> Recent);

/// <summary>A row of the jobs table (kind fire-and-forget), as GET /jobs/{id} shows it.</summary>
public sealed record JobRecord(Guid Id, string Status, string? Error, JsonElement Payload, DateTime CreatedAt, DateTime? CompletedAt);

public sealed record CollectResult(UnobservedFigures Before, UnobservedFigures After);

/// <summary>What the forced collection revealed, next to the bad variant's failures that really happened.</summary>
public sealed record CollectEvidence(double GcMs, long RevealedNow, ChargeFigures Bad);

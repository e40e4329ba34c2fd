using System.ComponentModel.DataAnnotations;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>The order to place, as the client posts it.</summary>
public sealed record OrderBody(
    [property: Knob(1, 5000, "Which seeded user places the order.")] int UserId = 42,
    [property: Knob(typeof(decimal), "0.01", "10000", "The order's total.")] decimal Amount = 19.99m);

/// <summary>The knobs: how long the backend takes to validate the customer, and the order's idempotency key.</summary>
public sealed record MissingAwaitKnobs(
    [property: Knob(0, 5000, "How long the backend's validation of the customer takes, in ms. With 50 the dropped save is still waiting for it when bad's request has ended.")] int DelayMs = 50,
    // PostgreSQL text cannot hold a NUL (22021): control characters are refused here, as a 400, not there as a 500.
    [property: TextKnob(@"^[^\x00-\x1f\x7f]{1,100}$", MissingAwaitKnobs.KeyRule,
        "Optional idempotency key, stored in orders.request_key; a fresh one when absent. Reuse one: good answers 409, bad answers 201 and its save fails where nobody looks.")]
    string? RequestKey = null)
{
    public const string KeyRule = "1 to 100 characters, none of them a control character";

    public BackendCall Call => new(DelayMs);
}

/// <summary>An order whose id is reserved, about to be saved.</summary>
public sealed record NewOrder(long Id, int UserId, decimal Amount, string RequestKey);

/// <summary>What the client is told: the order's id and where to read it back.</summary>
public sealed record PlacedOrder(long OrderId, int UserId, decimal Amount, string RequestKey, string Location);

/// <summary>An order as the database has it, with the number of audit rows written for it.</summary>
public sealed record StoredOrder(long Id, int UserId, decimal Total, string Status, string? RequestKey, DateTime CreatedAt, long AuditRows);

/// <summary>
/// What was true when the handler answered 2xx: whether another connection could see the order and its audit row,
/// which steps of the save had run, and this variant's running totals (acknowledged vs persisted) so far.
/// </summary>
public sealed record AckEvidence(
    bool OrderVisibleAtAck,
    long AuditRowsVisibleAtAck,
    IReadOnlyList<string> SaveStepsAtAck,
    string SaveStateAtAck,
    SaveTotals Totals);

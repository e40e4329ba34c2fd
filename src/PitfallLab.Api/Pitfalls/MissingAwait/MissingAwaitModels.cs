using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>The order to place, as the client posts it.</summary>
public sealed record OrderBody(
    [property: Description("Which seeded user places the order (1..5000).")]
    [property: Range(1, 5000, ErrorMessage = "userId must be between 1 and 5000.")]
    int UserId = 42,
    [property: Description("The order's total (0.01..10000).")]
    [property: Range(typeof(decimal), "0.01", "10000", ErrorMessage = "amount must be between 0.01 and 10000.")]
    decimal Amount = 19.99m);

/// <summary>The knobs: how long the backend takes to validate the customer, and the order's idempotency key.</summary>
public sealed record MissingAwaitKnobs(
    [property: FromQuery(Name = "delayMs")]
    [property: Description("How long the backend's validation of the customer takes, in ms (0..5000). With 50 the dropped save is still waiting for it when bad's request has ended.")]
    [property: Range(0, 5000, ErrorMessage = "delayMs must be between 0 and 5000.")]
    int DelayMs = 50,
    [property: FromQuery(Name = "requestKey")]
    [property: Description("Optional idempotency key (1..100 characters), stored in orders.request_key; a fresh one when absent. Reuse one: good answers 409, bad answers 201 and its save fails where nobody looks.")]
    [property: StringLength(100, MinimumLength = 1, ErrorMessage = "requestKey must be between 1 and 100 characters long.")]
    // PostgreSQL text cannot hold a NUL (22021): refuse control characters here, as a 400, not there as a 500.
    [property: RegularExpression(@"^[^\x00-\x1f]*$", ErrorMessage = "requestKey must not contain control characters.")]
    string? RequestKey = null)
{
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

using PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>
/// Pitfall 2: an async call nobody awaits. The same job both ways: reserve an order id, save the order (validate the
/// customer with the backend, insert the order and its audit row in one transaction), answer 201 with the id.
/// </summary>
public static class MissingAwaitApi
{
    private const string Id = MissingAwaitPitfall.Id;

    public static async Task<Created<Observation<PlacedOrder, AckEvidence>>> Good(
        OrderBody order, [AsParameters] MissingAwaitKnobs knobs, [FromKeyedServices("good")] OrderWriter writer,
        OrderReader reader, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var placed = await writer.ReserveAsync(order, knobs.RequestKey, ct);
        await writer.SaveAsync(placed, knobs.Call, ct);
        return await AcknowledgeAsync(watch, writer.Log, placed, reader, ct);
    }

    public static async Task<Created<Observation<PlacedOrder, AckEvidence>>> Bad(
        OrderBody order, [AsParameters] MissingAwaitKnobs knobs, [FromKeyedServices("bad")] OrderWriter writer,
        OrderReader reader, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        var placed = await writer.ReserveAsync(order, knobs.RequestKey, ct);
#pragma warning disable CS4014 // the save's Task is dropped: the 201 leaves now, and the request's connection is disposed under the save
        writer.SaveAsync(placed, knobs.Call, ct);
#pragma warning restore CS4014
        return await AcknowledgeAsync(watch, writer.Log, placed, reader, ct);
    }

    public static async Task<Results<Ok<StoredOrder>, ProblemHttpResult>> ReadOrder(long id, OrderReader reader, CancellationToken ct) =>
        await reader.FindAsync(id, ct) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such order",
                detail: $"Order {id} is not in the database. If a 201 named it, that acknowledgement was not worth much.");

    /// <summary>Answers 201, with what another connection can see of the order at the very moment it is acknowledged.</summary>
    private static async Task<Created<Observation<PlacedOrder, AckEvidence>>> AcknowledgeAsync(
        Watch watch, SaveLog log, NewOrder order, OrderReader reader, CancellationToken ct)
    {
        var stored = await reader.FindAsync(order.Id, ct);
        var save = log.Acknowledge(orderVisible: stored is not null);
        var location = $"/pitfalls/{Id}/orders/{order.Id}";
        var result = new PlacedOrder(order.Id, order.UserId, order.Amount, order.RequestKey, location);
        var evidence = new AckEvidence(stored is not null, stored?.AuditRows ?? 0, save.Steps, save.State, log.Totals);
        return TypedResults.Created(location, watch.Finish(result, evidence));
    }

    /// <summary>A replayed requestKey violates orders' unique key: a 409 for whoever awaited the save.</summary>
    internal static async ValueTask<object?> ReplayIsAConflict(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "This requestKey was already used",
                detail: "An order with this requestKey exists: the request is a replay, and nothing was written.");
        }
    }
}

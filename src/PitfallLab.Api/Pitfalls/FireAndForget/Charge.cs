using Dapper;
using Npgsql;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// The background job both variants run, unchanged: ask the payment provider (the backend) to charge the customer,
/// then record the paid order in PostgreSQL. Only what happens around it differs between bad and good.
/// </summary>
public static class Charge
{
    private const string InsertOrderSql = """
        INSERT INTO orders (user_id, total, status, request_key)
        VALUES (@CustomerId, @Total, 'paid', @RequestKey)
        RETURNING id
        """;

    public static string RequestKey(Guid chargeId) => $"{FireAndForgetPitfall.Id}/{chargeId}";

    public static async Task<long> RunAsync(
        ChargeWork work, BackendClient backend, NpgsqlDataSource db, ChargeTally tally, CancellationToken ct)
    {
        try
        {
            await backend.GetUserAsync(work.Knobs.CustomerId, work.Knobs.Call, ct);
            await using var conn = await db.OpenConnectionAsync(ct);
            var orderId = await conn.ExecuteScalarAsync<long>(new CommandDefinition(InsertOrderSql, new
            {
                work.Knobs.CustomerId,
                Total = work.Knobs.AmountCents / 100m,
                RequestKey = RequestKey(work.ChargeId),
            }, cancellationToken: ct));
            tally.Succeeded();
            return orderId;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lab's god's-eye count of failures that happened; real code has no such line, which is the point.
            tally.FailureHappened();
            throw new ChargeFailedException(work, ex);
        }
    }
}

/// <summary>
/// A charge that failed. Its type is this pitfall's marker: the process-wide unobserved-exception counter
/// tells our lost charges apart from other pitfalls' by it.
/// </summary>
public sealed class ChargeFailedException(ChargeWork work, Exception inner)
    : Exception($"charge {work.ChargeId} of {work.Knobs.AmountCents} cents for customer {work.Knobs.CustomerId} failed: {inner.Message}", inner)
{
    public Guid ChargeId { get; } = work.ChargeId;
}

using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// The background job both variants run, unchanged: ask the payment provider (the backend) to charge the customer,
/// then record the paid order in PostgreSQL. Only who observes its Task differs between bad and good.
/// </summary>
public sealed class Charge(SandboxPools pools, IServiceScopeFactory scopes)
{
    internal static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 15);

    private const string InsertOrderSql = """
        INSERT INTO orders (user_id, total, status, request_key)
        VALUES (@CustomerId, @Total, 'paid', @RequestKey)
        RETURNING id
        """;

    public static string RequestKey(Guid chargeId) => $"{FireAndForgetPitfall.Id}/{chargeId}";

    /// <summary>Charges, then answers the paid order's id; a failure is a <see cref="ChargeFailedException"/>.</summary>
    public Task<long> RunAsync(ChargeWork work, string variant, CancellationToken ct) =>
        ChargeTally.CountedAsync(variant, async () =>
        {
            try
            {
                // Runs after the request has ended: its own scope, not the request's.
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<BackendClient>().GetUserAsync(work.Knobs.CustomerId, work.Knobs.Call, ct);
                await using var conn = await pools.For(FireAndForgetPitfall.Id, variant, Pool).OpenConnectionAsync(ct);
                var order = new { work.Knobs.CustomerId, Total = work.Knobs.AmountCents / 100m, RequestKey = RequestKey(work.ChargeId) };
                return await conn.ExecuteScalarAsync<long>(new CommandDefinition(InsertOrderSql, order, cancellationToken: ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ChargeFailedException(work, ex);
            }
        });
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

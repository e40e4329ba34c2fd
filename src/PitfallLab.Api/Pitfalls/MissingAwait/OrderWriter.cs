using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>
/// Places orders the way a real service does, on the request's connection (request-scoped, like a DbContext):
/// reserve the id, then save — validate the customer with the backend, insert the order, append its audit row,
/// in one transaction. Bad and good share it: only the handler's <c>await</c> differs.
/// </summary>
public sealed class OrderWriter(RequestConnection db, BackendClient backend, SaveLog log)
{
    public SaveLog Log => log;

    public async Task<NewOrder> ReserveAsync(OrderBody body, string? requestKey, CancellationToken ct)
    {
        const string sql = "SELECT nextval(pg_get_serial_sequence('orders', 'id'))";
        var conn = await db.GetAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: ct));
        return new NewOrder(id, body.UserId, body.Amount, requestKey ?? $"{MissingAwaitPitfall.Id}/{Guid.NewGuid():N}");
    }

    public async Task SaveAsync(NewOrder order, BackendCall call, CancellationToken ct)
    {
        log.Started();
        try
        {
            var customer = await backend.GetUserAsync(order.UserId, call, ct);
            log.Step($"validated: {customer.Tier} customer");
            var conn = await db.GetAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await InsertOrderAsync(conn, tx, order, ct);
            log.Step("order inserted");
            await AppendAuditAsync(conn, tx, order.Id, $"placed by a {customer.Tier} customer", ct);
            log.Step("audit row appended");
            await tx.CommitAsync(ct);
            log.Persisted();
        }
        catch (Exception ex)
        {
            log.Failed(ex); // noted for the lab's tallies; the exception still faults this Task, awaited or not
            throw;
        }
    }

    private static async Task InsertOrderAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewOrder order, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO orders (id, user_id, total, status, request_key)
            VALUES (@Id, @UserId, @Amount, 'placed', @RequestKey)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, order, tx, cancellationToken: ct));
    }

    private static async Task AppendAuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long orderId, string action, CancellationToken ct)
    {
        const string sql = "INSERT INTO audit_log (entity, entity_id, action) VALUES ('order', @orderId, @action)";
        await conn.ExecuteAsync(new CommandDefinition(sql, new { orderId, action }, tx, cancellationToken: ct));
    }
}

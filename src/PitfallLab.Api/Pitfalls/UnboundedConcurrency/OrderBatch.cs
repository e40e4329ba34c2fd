using System.Diagnostics;
using System.Net;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.UnboundedConcurrency.Guardrails;

namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency;

/// <summary>
/// One request's batch: for each of N orders, read it from PostgreSQL, then look its customer up at the
/// backend. Bad and good run this same item code; they differ only in how many items they start at once.
/// Every item catches its own failure and counts it by cause, so the batch always finishes with a tally.
/// </summary>
public sealed class OrderBatch(BatchKnobs knobs, NpgsqlDataSource pool, BackendClient backend)
{
    // The exact text Npgsql's pool throws (with an inner TimeoutException) when no connection frees up in time.
    private const string PoolExhaustedMessage = "The connection pool has been exhausted";

    private const string OrderSql = """
        SELECT o.id, o.user_id AS UserId, o.total
        FROM orders o, pg_sleep(@Seconds)
        WHERE o.id = @Id
        """;

    private readonly Lock gate = new();
    private readonly Dictionary<string, int> byTier = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> firstErrors = new(StringComparer.Ordinal);
    private readonly InFlight items = new(), backendCalls = new();
    private int succeeded, poolExhausted, tooManyRequests, other;
    private int maxWaitMicroseconds;
    private decimal ordersTotal;

    /// <summary>The seeded orders 1..N (the seed holds 50,000).</summary>
    public IEnumerable<int> OrderIds => Enumerable.Range(1, knobs.Items);

    public async Task ProcessAsync(int orderId, CancellationToken ct)
    {
        using var _ = items.Enter();
        try
        {
            var order = await LoadAsync(orderId, ct);
            var customer = await LookUpAsync(order.UserId, ct);
            Succeed(order.Total, customer.Tier);
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException && e.Message.StartsWith(PoolExhaustedMessage, StringComparison.Ordinal))
        {
            Fail(ref poolExhausted, "poolExhausted", e.Message);
        }
        catch (BackendException e) when (e.Status == HttpStatusCode.TooManyRequests)
        {
            Fail(ref tooManyRequests, "tooManyRequests", e.Message);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Fail(ref other, "other", $"{e.GetType().Name}: {e.Message}");
        }
    }

    // The connection lives only for the query: it goes back to the pool before the backend call.
    private async Task<BatchOrder> LoadAsync(int orderId, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        var query = new CommandDefinition(OrderSql, new { Id = (long)orderId, Seconds = knobs.QueryMs / 1000.0 }, cancellationToken: ct);
        return await conn.QuerySingleAsync<BatchOrder>(query);
    }

    // Timed whether or not a connection came: an item that gave up waited the pool's whole Timeout.
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var waiting = Stopwatch.GetTimestamp();
        try { return await pool.OpenConnectionAsync(ct); }
        finally { InFlight.RaiseMax(ref maxWaitMicroseconds, (int)Stopwatch.GetElapsedTime(waiting).TotalMicroseconds); }
    }

    private async Task<BackendUser> LookUpAsync(int userId, CancellationToken ct)
    {
        using var _ = backendCalls.Enter();
        return await backend.GetUserAsync(userId, knobs.Call, ct);
    }

    private void Succeed(decimal total, string tier)
    {
        lock (gate)
        {
            succeeded++;
            ordersTotal += total;
            byTier[tier] = byTier.GetValueOrDefault(tier) + 1;
        }
    }

    private void Fail(ref int counter, string cause, string message)
    {
        lock (gate)
        {
            counter++;
            firstErrors.TryAdd(cause, message);
        }
    }

    /// <summary>Once every item has ended: the tally as an observation, counted in /lab/stats too.</summary>
    public Observation<BatchResult, BatchEvidence> Finish(Watch watch, int? bound, PoolShape shape)
    {
        BatchResult result;
        BatchEvidence evidence;
        lock (gate)
        {
            result = new(knobs.Items, succeeded, poolExhausted + tooManyRequests + other, ordersTotal, new Dictionary<string, int>(byTier));
            evidence = new(
                bound is { } b ? $"at most {b} items at once" : $"all {knobs.Items} items at once",
                bound, knobs.Cap, shape.MaxPoolSize, shape.TimeoutSeconds,
                new FailureCounts(poolExhausted, tooManyRequests, other),
                items.Max, backendCalls.Max,
                Math.Round(Volatile.Read(ref maxWaitMicroseconds) / 1000.0, 1),
                new Dictionary<string, string>(firstErrors));
        }
        return UnboundedConcurrencyMetrics.Record(watch.Finish(result, evidence));
    }
}

public sealed record BatchOrder(long Id, int UserId, decimal Total);

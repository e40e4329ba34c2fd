using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.BlockingIo;

/// <summary>
/// Pitfall 1: synchronous IO inside an async handler. The same job three ways: look the user up
/// in the backend, then sum their orders in PostgreSQL.
/// </summary>
public static class BlockingIoApi
{
    private const string Id = BlockingIoPitfall.Id;
    private static readonly PoolShape Pool = new(MaxPoolSize: 30, TimeoutSeconds: 15);

    // Also the database half of sync-over-async's job: the two pitfalls run the same query.
    internal const string OrdersSql = """
        SELECT count(*) AS Orders, coalesce(sum(total), 0) AS Total
        FROM orders
        WHERE user_id = @UserId
        """;

    public static async Task<Ok<Observation<UserOrders, IoEvidence>>> Good(
        [AsParameters] BlockingIoKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var user = await backend.GetUserAsync(knobs.UserId, knobs.Call, ct);
        var backendMs = watch.Lap();
        await using var conn = await pools.For(Id, "good", Pool).OpenConnectionAsync(ct);
        var orders = await conn.QuerySingleAsync<OrderSummary>(OrdersSql, new { knobs.UserId });
        return TypedResults.Ok(watch.Finish(new UserOrders(user, orders), new IoEvidence(backendMs, watch.Lap())));
    }

    public static async Task<Ok<Observation<UserOrders, IoEvidence>>> Bad(
        [AsParameters] BlockingIoKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
#pragma warning disable CA1849, VSTHRD103 // sync IO in an async method: the analyzers know it holds a pool thread for the whole wait
        var user = backend.GetUser(knobs.UserId, knobs.Call);
        var backendMs = watch.Lap();
        using var conn = pools.For(Id, "bad", Pool).OpenConnection();
        var orders = conn.QuerySingle<OrderSummary>(OrdersSql, new { knobs.UserId });
#pragma warning restore CA1849, VSTHRD103
        return TypedResults.Ok(watch.Finish(new UserOrders(user, orders), new IoEvidence(backendMs, watch.Lap())));
    }

    /// <summary>asyncio's run_in_executor, .NET edition: the sync calls moved to another pool thread, which still blocks.</summary>
    public static async Task<Ok<Observation<UserOrders, IoEvidence>>> Offloaded(
        [AsParameters] BlockingIoKnobs knobs, SandboxPools pools, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "offloaded");
        var user = await Task.Run(() => backend.GetUser(knobs.UserId, knobs.Call), ct);
        var backendMs = watch.Lap();
        using var conn = await Task.Run(() => pools.For(Id, "offloaded", Pool).OpenConnection(), ct);
        var orders = await Task.Run(() => conn.QuerySingle<OrderSummary>(OrdersSql, new { knobs.UserId }), ct);
        return TypedResults.Ok(watch.Finish(new UserOrders(user, orders), new IoEvidence(backendMs, watch.Lap())));
    }
}

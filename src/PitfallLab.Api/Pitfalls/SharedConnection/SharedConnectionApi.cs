using Microsoft.AspNetCore.Http.HttpResults;
using PitfallLab.Api.Lab;
using PitfallLab.Api.Pitfalls.SharedConnection.Guardrails;

namespace PitfallLab.Api.Pitfalls.SharedConnection;

/// <summary>
/// Pitfall 9: one non-thread-safe object shared by concurrent flows. The same K lookups three ways: all at once on
/// one NpgsqlConnection, all at once on a pooled connection each, or one batch on one connection.
/// </summary>
public static class SharedConnectionApi
{
    private const string Id = SharedConnectionPitfall.Id;

    // Each variant its own pool of this shape; 20 per process, which is the per-process half of the lesson.
    public static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5);

    public static async Task<Ok<Observation<LookupResult, LookupEvidence>>> Bad(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, SharedConnectionCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        var tally = new LookupTally();
        var pool = pools.For(Id, "bad", Pool);
        // One connection for every lookup: they all start a command on it at once, and it runs one at a time.
        await using var conn = await pool.OpenConnectionAsync(ct);
        await Task.WhenAll(knobs.UserIds.Select(id => tally.RunAsync(() =>
            UserOrdersQuery.OneAsync(conn, id, tally, ct), ct)));
        return Answer(watch, knobs, tally, counters, $"one connection shared by {knobs.Lookups} concurrent lookups");
    }

    public static async Task<Ok<Observation<LookupResult, LookupEvidence>>> Good(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, SharedConnectionCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var tally = new LookupTally();
        var pool = pools.For(Id, "good", Pool);
        // One pooled connection per lookup: each flow rents its own and gives it back when done.
        await Task.WhenAll(knobs.UserIds.Select(id => tally.RunAsync(async () =>
        {
            await using var conn = await pool.OpenConnectionAsync(ct);
            return await UserOrdersQuery.OneAsync(conn, id, tally, ct);
        }, ct)));
        return Answer(watch, knobs, tally, counters, $"one pooled connection per lookup ({knobs.Lookups} lookups)");
    }

    public static async Task<Ok<Observation<LookupResult, LookupEvidence>>> Batched(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, SharedConnectionCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "batched");
        var tally = new LookupTally();
        var pool = pools.For(Id, "batched", Pool);
        // One connection, one command: the lookups travel together in one NpgsqlBatch.
        await using var conn = await pool.OpenConnectionAsync(ct);
        await tally.RunAllAsync(knobs.Lookups, () =>
            UserOrdersQuery.BatchAsync(conn, knobs.UserIds, tally, ct), ct);
        return Answer(watch, knobs, tally, counters, $"one connection, {knobs.Lookups} lookups in one batch");
    }

    private static Ok<Observation<LookupResult, LookupEvidence>> Answer(
        Watch watch, SharedConnectionKnobs knobs, LookupTally tally, SharedConnectionCounters counters, string connections)
    {
        var (result, evidence) = (tally.Result(knobs.Lookups), tally.Evidence(connections, Pool.MaxPoolSize));
        counters.Add(watch.Variant, evidence);
        return TypedResults.Ok(watch.Finish(result, evidence));
    }
}

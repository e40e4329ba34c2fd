using PitfallLab.Api.Pitfalls.SharedConnection.Guardrails;

namespace PitfallLab.Api.Pitfalls.SharedConnection;

/// <summary>
/// Pitfall 9: one non-thread-safe object shared by concurrent flows. The same K lookups three ways: all at once on
/// one NpgsqlConnection, all at once on a pooled connection each, or one batch on one connection. Each lambda is the
/// whole lesson; <see cref="LookupRun"/> times it, tallies it and answers.
/// </summary>
public static class SharedConnectionApi
{
    public static Task<Ok<Observation<LookupResult, LookupEvidence>>> Bad(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, CancellationToken ct) =>
        LookupRun.RunAsync(pools, "bad", knobs.Lookups, $"one connection shared by {knobs.Lookups} concurrent lookups", async (pool, tally) =>
        {
            // One connection for every lookup: they all start a command on it at once, and it runs one at a time.
            await using var conn = await pool.OpenConnectionAsync(ct);
            await Task.WhenAll(knobs.UserIds.Select(id => tally.RunAsync(() =>
                UserOrdersQuery.OneAsync(conn, id, tally, ct), ct)));
        });

    public static Task<Ok<Observation<LookupResult, LookupEvidence>>> Good(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, CancellationToken ct) =>
        LookupRun.RunAsync(pools, "good", knobs.Lookups, $"one pooled connection per lookup ({knobs.Lookups} lookups)", async (pool, tally) =>
        {
            // One pooled connection per lookup: each flow rents its own and gives it back when done.
            await Task.WhenAll(knobs.UserIds.Select(id => tally.RunAsync(async () =>
            {
                await using var conn = await pool.OpenConnectionAsync(ct);
                return await UserOrdersQuery.OneAsync(conn, id, tally, ct);
            }, ct)));
        });

    public static Task<Ok<Observation<LookupResult, LookupEvidence>>> Batched(
        [AsParameters] SharedConnectionKnobs knobs, SandboxPools pools, CancellationToken ct) =>
        LookupRun.RunAsync(pools, "batched", knobs.Lookups, $"one connection, {knobs.Lookups} lookups in one batch", async (pool, tally) =>
        {
            // One connection, one command: the lookups travel together in one NpgsqlBatch.
            await using var conn = await pool.OpenConnectionAsync(ct);
            await tally.RunAllAsync(knobs.Lookups, () =>
                UserOrdersQuery.BatchAsync(conn, knobs.UserIds, tally, ct), ct);
        });
}

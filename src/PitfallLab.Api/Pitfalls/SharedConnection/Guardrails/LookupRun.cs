namespace PitfallLab.Api.Pitfalls.SharedConnection.Guardrails;

/// <summary>
/// The plumbing every variant shares, so that each handler is only its lesson: time the request, hand the lesson the
/// variant's pool and a fresh <see cref="LookupTally"/>, then answer the tally and add it to the totals /lab/stats
/// shows under <c>pitfalls.shared-connection.{variant}</c> (bad's itemsFailed and commandsRefused pile up, good's and
/// batched's stay 0; the item failure rate is itemsFailed / items).
/// </summary>
public static class LookupRun
{
    // Each variant its own pool of this shape; 20 per process, which is the per-process half of the lesson.
    public static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5);

    private static readonly PitfallMetrics Metrics = new(SharedConnectionPitfall.Id);
    private static readonly LabCounter Items = Metrics.Counter("items", "Items the requests worked on (here: lookups)");
    private static readonly LabCounter ItemsFailed = Metrics.Counter("itemsFailed", "Items that failed (here: lookups)");
    private static readonly LabCounter CommandsRefused = Metrics.Counter("commandsRefused", "Commands a busy connection refused before sending them");
    private static readonly LabCounter RoundTrips = Metrics.Counter("roundTrips", "Commands that reached PostgreSQL");

    public static async Task<Ok<Observation<LookupResult, LookupEvidence>>> RunAsync(
        SandboxPools pools, string variant, int lookups, string connections, Func<NpgsqlDataSource, LookupTally, Task> lookUp)
    {
        using var watch = Watch.Start(SharedConnectionPitfall.Id, variant);
        var tally = new LookupTally();
        await lookUp(pools.For(SharedConnectionPitfall.Id, variant, Pool), tally);

        var (result, evidence) = (tally.Result(lookups), tally.Evidence(connections, Pool.MaxPoolSize));
        Items.Add(variant, evidence.ItemsOk + evidence.ItemsFailed);
        ItemsFailed.Add(variant, evidence.ItemsFailed);
        CommandsRefused.Add(variant, evidence.CommandsRefused);
        RoundTrips.Add(variant, evidence.RoundTrips);
        return TypedResults.Ok(watch.Finish(result, evidence));
    }
}

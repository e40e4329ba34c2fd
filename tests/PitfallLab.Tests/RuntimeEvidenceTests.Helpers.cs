using System.Collections.Concurrent;

namespace PitfallLab.Tests;

/// <summary>What the runtime said during one variant's burst: per observation, per variant on the meter, and process-wide.</summary>
public sealed record RuntimeBurst(
    string Variant, LoadResult Load, IReadOnlyList<(long Starvation, long Waits)> Observations,
    long VariantStarvation, long VariantWaits, long TotalStarvation, long TotalWaits, long Detected, long Compensated)
{
    public int ObservationsWithStarvation => Observations.Count(o => o.Starvation > 0);
    public int ObservationsWithWaits => Observations.Count(o => o.Waits > 0);

    public override string ToString() =>
        $"{Variant,-22} {Load}; meter: starvationEvents {VariantStarvation} (process {TotalStarvation}: reason Starvation {Detected}, CooperativeBlocking {Compensated}), blockingWaits {VariantWaits} (process {TotalWaits}); " +
        $"observations: {ObservationsWithStarvation}/{Observations.Count} saw starvation (max {Observations.Select(o => o.Starvation).DefaultIfEmpty().Max()}), " +
        $"{ObservationsWithWaits}/{Observations.Count} made blocking waits (sum {Observations.Sum(o => o.Waits)})";
}

public sealed partial class RuntimeEvidenceTests
{
    private const string Totals = "lab";

    /// <summary>
    /// <paramref name="path"/> at <paramref name="rate"/>/s for <paramref name="seconds"/> on a fresh API process (after a
    /// warm-up of good requests), keeping each answer's runtime evidence; the meter's figures are read before and after.
    /// </summary>
    private async Task<RuntimeBurst> BurstAsync(string pitfall, string variant, string path, string warmup, int rate, double seconds)
    {
        await using var api = await lab.StartApiAsync();
        await Load.RunAsync(api.Client, warmup, concurrency: 2, total: 20);
        var before = await LabStats.ReadAsync(api.Client);

        var runtimes = new ConcurrentQueue<JsonElement>();
        var failed = new ConcurrentQueue<string>();
        var load = await Load.AtRateAsync(rate, seconds, async _ =>
        {
            using var response = await api.Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode) runtimes.Enqueue(JsonDocument.Parse(body).RootElement.GetProperty("runtime").Clone());
            else failed.Enqueue($"{(int)response.StatusCode} {body}");
            return response.StatusCode;
        });
        if (!failed.IsEmpty)
        {
            output.WriteLine($"{pitfall}/{variant} answered {string.Join("; ", failed)}");
            api.ShowOutput(output);
        }

        // The runtime's thread-pool events reach the listener ~10 ms after the fact: give the last ones time to land.
        await Task.Delay(500);
        var after = await LabStats.ReadAsync(api.Client);
        long Delta(string id, string? v, string key) => Figure(after, id, v, key) - Figure(before, id, v, key);

        var observations = runtimes
            .Select(r => (r.GetProperty("starvationEvents").GetInt64(), r.GetProperty("blockingWaits").GetInt64()))
            .ToList();
        var burst = new RuntimeBurst($"{pitfall}/{variant}", load, observations,
            Delta(pitfall, variant, "starvationEvents"), Delta(pitfall, variant, "blockingWaits"),
            Delta(Totals, null, "starvationEvents"), Delta(Totals, null, "blockingWaits"),
            Delta(Totals, null, "starvationDetected"), Delta(Totals, null, "blockingCompensated"));
        output.WriteLine(burst.ToString());
        return burst;
    }

    private static long Figure(JsonElement stats, string pitfall, string? variant, string key)
    {
        var figures = stats.Pitfall(pitfall);
        return (variant is null ? figures : figures.Variant(variant)).Figure(key);
    }
}

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// How to load one variant: the warm-up path (JIT, pools, connections), a well-behaved probe path measured just
/// before and just after the load, and the load itself: a fixed arrival rate for a number of seconds.
/// </summary>
public sealed record BurstPlan(string Warmup, string Probe, int Rate, double Seconds, int ProbeConcurrency = 8, int ProbeTotal = 40);

/// <summary>What one variant's load did on a fresh API process, and how that process served the probe before and after.</summary>
public sealed record Burst(string Variant, LoadResult Before, LoadResult Load, int ThreadsBefore, int ThreadsAfter, LoadResult After)
{
    public int ThreadGrowth => ThreadsAfter - ThreadsBefore;

    public override string ToString() =>
        $"{Variant,-9} {Load} threads {ThreadsBefore} -> {ThreadsAfter}; probe before: {Before}; probe after: {After}";
}

public static class Bursts
{
    /// <summary>
    /// Runs <paramref name="path"/> at the plan's rate on a fresh API process, so one variant's grown thread pool
    /// cannot help the next; the thread-pool thread counts come from /lab/stats right before and right after the load.
    /// </summary>
    public static async Task<Burst> OnFreshApiAsync(this LabFixture lab, BurstPlan plan, string variant, string path)
    {
        await using var api = await lab.StartApiAsync();
        await Load.RunAsync(api.Client, plan.Warmup, concurrency: 2, total: 20);
        var before = await Load.RunAsync(api.Client, plan.Probe, plan.ProbeConcurrency, plan.ProbeTotal);
        var threadsBefore = (await LabStats.ReadAsync(api.Client)).ThreadPoolThreads();

        var load = await Load.AtRateAsync(api.Client, path, plan.Rate, plan.Seconds);
        var threadsAfter = (await LabStats.ReadAsync(api.Client)).ThreadPoolThreads();
        var after = await Load.RunAsync(api.Client, plan.Probe, plan.ProbeConcurrency, plan.ProbeTotal);

        return new Burst(variant, before, load, threadsBefore, threadsAfter, after);
    }
}

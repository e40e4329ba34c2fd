namespace PitfallLab.Tests.Fixtures;

/// <summary>busy-polling under load: many waiters at once, and beside them an unrelated probe at a steady rate.</summary>
public static class BusyPollingLoad
{
    /// <summary>Waiters at a time: enough spinning ones to saturate 2 cores, well inside each variant's pool of 60.</summary>
    public const int Waiters = 40;

    /// <summary>Unrelated to the jobs: readiness runs one small query on the lab's own pool and calls the backend.</summary>
    public const string ProbePath = "/health";

    /// <summary>Probes a second: one every 25 ms, a few ms each, so they rarely overlap even beside bad's waiters.</summary>
    private const int ProbeRate = 40;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1.5);

    /// <summary>One window: the waiters' requests, the probe's, and the CPU time the API process used meanwhile.</summary>
    public sealed record Phase(LoadResult Waiters, LoadResult Probe, double CpuMs)
    {
        /// <summary>How many cores' worth of CPU the API used: a saturated 2-core machine shows close to 2.</summary>
        public double Cores => CpuMs / Waiters.WallMs;
    }

    public sealed record VariantTotals(long Waits, long Queries);

    /// <summary>JIT, and as many pooled connections (database, HTTP) as the load will use, so that no phase pays for opening them.</summary>
    public static async Task WarmUpAsync(HttpClient client)
    {
        foreach (var variant in new[] { "good", "bad" })
            await Load.RunAsync(client, $"/pitfalls/busy-polling/{variant}?jobMs=50", Waiters, 2 * Waiters, HttpMethod.Post);
        await ProbeAsync(client, TimeSpan.FromSeconds(0.5));
    }

    /// <summary><see cref="Waiters"/> closed-loop waiters of one variant for the window, the probe running meanwhile.</summary>
    public static async Task<Phase> UnderLoadAsync(ServiceProcess api, string variant, int jobMs)
    {
        var total = (int)(Waiters * Window.TotalMilliseconds / jobMs);
        var cpu = api.CpuTime;
        var waiters = Load.RunAsync(api.Client, $"/pitfalls/busy-polling/{variant}?jobMs={jobMs}", Waiters, total, HttpMethod.Post);
        await Task.Delay(jobMs / 2); // let the waiters get going
        var probe = await ProbeAsync(api.Client, Window - TimeSpan.FromMilliseconds(jobMs));
        var done = await waiters;
        return new Phase(done, probe, (api.CpuTime - cpu).TotalMilliseconds);
    }

    /// <summary>The probe at a steady rate for the whole window (open loop, as k6 runs it): what an unrelated user sees.</summary>
    public static Task<LoadResult> ProbeAsync(HttpClient client, TimeSpan window) =>
        Load.AtRateAsync(client, ProbePath, ProbeRate, window.TotalSeconds);

    public static Phase Merge(IEnumerable<Phase> phases)
    {
        var list = phases.ToList();
        LoadResult Join(Func<Phase, LoadResult> pick) => new(
            list.SelectMany(p => pick(p).LatenciesMs).ToList(),
            list.SelectMany(p => pick(p).Statuses).ToList(),
            list.Sum(p => pick(p).WallMs));
        return new Phase(Join(p => p.Waiters), Join(p => p.Probe), list.Sum(p => p.CpuMs));
    }

    /// <summary>The API's running totals per variant, from /lab/stats (pitfalls.busy-polling.{variant}.waits and .queries).</summary>
    public static async Task<IReadOnlyDictionary<string, VariantTotals>> TotalsAsync(HttpClient api)
    {
        var figures = await LabStats.PitfallAsync(api, "busy-polling");
        return new[] { "good", "bad" }.ToDictionary(v => v, v => new VariantTotals(figures.Variant(v).Figure("waits"), figures.Variant(v).Figure("queries")));
    }
}

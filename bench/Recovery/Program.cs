using System.Diagnostics;
using System.Globalization;
using PitfallLab.Bench.Recovery;

// bench/recovery [--runs N] [--only pitfall/variant,...] [--base-url URL] [--good-seconds S] [--lab-down PATH-TO-lab]
// Drives each bad variant at its k6 default load, then measures how long the lab takes to answer normally again.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 5000, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
{
    BaseAddress = new Uri(options.BaseUrl),
    Timeout = Timeout.InfiniteTimeSpan,
};
var lab = new LabClient(http);
if (await lab.ThreadsAsync() is null)
{
    Console.Error.WriteLine($"The API does not answer {options.BaseUrl}/lab/stats: start the lab first (./lab up).");
    return 2;
}

var clock = Stopwatch.StartNew();
var rows = new List<Row>();
Console.WriteLine($"bench/recovery: {options.Variants.Count} bad variants x {options.Runs} runs against {options.BaseUrl} ({Environment.ProcessorCount} cores)");
Console.WriteLine(Row.Header);
for (var run = 1; run <= options.Runs; run++)
{
    foreach (var bad in options.Variants)
    {
        var waited = await lab.WaitForQuietPoolAsync(TimeSpan.FromSeconds(90));
        var good = await Phases.LoadAsync(http, bad, "good", options.GoodSeconds, clock);
        var before = await lab.ThreadsAsync();
        var load = await Phases.LoadAsync(http, bad, bad.Variant, bad.Seconds, clock);
        var atEnd = await lab.ThreadsAsync();
        var recovery = await Phases.RecoveryAsync(http, bad, good.Load.P95, load.Load.LastEndedMs, clock, TimeSpan.FromSeconds(60));
        var after = await lab.ThreadsAsync();
        var row = new Row(run, bad, waited, good, load, recovery, before?.Threads, atEnd?.Threads, after?.Threads);
        rows.Add(row);
        Console.WriteLine(row);
    }
}

Console.WriteLine();
Console.WriteLine("Per variant over all runs (recovery <= 5 s; latency pitfalls also bad p95 >= 10x good):");
foreach (var group in rows.GroupBy(r => r.Bad.Name))
{
    var passed = group.Count(r => r.Passed);
    Console.WriteLine($"  {group.Key,-34} {passed} of {group.Count()} runs pass; recovery max {group.Max(r => r.Recovery ?? double.PositiveInfinity):F1} s");
}

if (options.LabScript is { } script)
    Console.WriteLine(await LabDown.UnderLoadAsync(http, script, clock));

return rows.All(r => r.Passed) ? 0 : 1;

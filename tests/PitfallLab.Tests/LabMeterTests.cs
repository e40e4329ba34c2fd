namespace PitfallLab.Tests;

/// <summary>
/// The lab's counters are .NET metrics on the "PitfallLab" meter: the runtime's own tool, dotnet-counters
/// (restored from .config/dotnet-tools.json), reads them from outside the API process, tagged by pitfall and variant.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LabMeterTests(LabFixture lab, ITestOutputHelper output)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task DotnetCountersShowsTheLabInstrumentsTaggedByPitfallAndVariant()
    {
        await using var api = await lab.StartApiAsync();
        var file = Path.Combine(Path.GetTempPath(), $"pitfalllab-counters-{Guid.NewGuid():N}.json");
        var collect = DotnetCounters($"collect -p {api.ProcessId} --counters PitfallLab --format json -o {file} --duration 00:00:00:{Window.TotalSeconds:00}");

        // Traffic while the session runs: counters are reported as what happened in each one-second interval.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Window)
        {
            await api.Client.GetJsonAsync("/pitfalls/blocking-io/good?delayMs=10");
            await api.Client.GetJsonAsync("/pitfalls/blocking-io/bad?delayMs=10");
            // A pitfall's own figure: bad answers 502 and hides one of its two failed users (ids 3 and 7 by default).
            using var failed = await api.Client.GetAsync("/pitfalls/whenall-failures/bad?delayMs=10&failAfterMs=5");
            await Task.Delay(100);
        }
        await collect.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(collect.ExitCode == 0 && File.Exists(file), $"dotnet-counters exited {collect.ExitCode}: {await collect.StandardError.ReadToEndAsync()}");

        var events = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("Events").EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString()!, Tags: e.GetProperty("tags").GetString()!, Value: e.GetProperty("value").GetDouble()))
            .ToList();
        File.Delete(file);
        foreach (var name in events.Select(e => $"{e.Name} [{e.Tags}]").Distinct().Order())
            output.WriteLine(name);

        Assert.All(events, e => Assert.StartsWith("pitfalllab.", e.Name));
        foreach (var variant in new[] { "good", "bad" })
        {
            var requests = events.Where(e => e.Name.StartsWith("pitfalllab.requests ", StringComparison.Ordinal) && e.Tags == $"pitfall=blocking-io,variant={variant}").ToList();
            Assert.True(requests.Sum(e => e.Value) > 0, $"dotnet-counters saw no blocking-io {variant} requests: {string.Join("; ", events.Take(10))}");
        }
        Assert.Contains(events, e => e.Name.StartsWith("pitfalllab.in_flight ", StringComparison.Ordinal));
        Assert.True(events.Where(e => e.Name.StartsWith("pitfalllab.errors_hidden ", StringComparison.Ordinal) && e.Tags == "pitfall=whenall-failures,variant=bad").Sum(e => e.Value) > 0,
            "dotnet-counters saw no hidden errors from whenall-failures bad");

        // /lab/stats reads the same instruments through the API's own listener.
        var stats = await LabStats.PitfallAsync(api.Client, "blocking-io");
        Assert.True(stats.Variant("good").Figure("requests") >= RequestsSeen(events, "good"), $"stats {stats} behind dotnet-counters");
    }

    private static long RequestsSeen(List<(string Name, string Tags, double Value)> events, string variant) =>
        (long)events.Where(e => e.Name.StartsWith("pitfalllab.requests ", StringComparison.Ordinal) && e.Tags.EndsWith($"variant={variant}", StringComparison.Ordinal)).Sum(e => e.Value);

    private static Process DotnetCounters(string arguments)
    {
        var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true })!;
        restore.WaitForExit(120_000);
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed: {restore.StandardError.ReadToEnd()}");
        return Process.Start(new ProcessStartInfo("dotnet", $"tool run dotnet-counters {arguments}")
        {
            WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        })!;
    }
}

using Microsoft.Playwright;

namespace PitfallLab.Tests;

/// <summary>
/// /live in a real browser against real processes: during a blocking-io bad burst the page's thread-pool figure
/// rises, its update counter keeps growing and the runtime's starvation figure rises with a marker, read from the
/// page's DOM (body's data attributes).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LivePageTests(LabFixture lab, ITestOutputHelper output)
{
    private const double BurstSeconds = 8;

    [Fact]
    public async Task TheLivePageKeepsUpdatingAndShowsThePoolGrowWhileBlockingIoBadStarvesIt()
    {
        var k6 = K6Defaults.Of("blocking-io");
        await using var api = await lab.StartApiAsync(new Dictionary<string, string> { ["Live__Port"] = $"{FreePort.Next()}" });
        await using var browser = await Browser.StartAsync();
        var page = await browser.OpenAsync(new Uri(api.BaseAddress, "/live"));
        await Eventually.HoldsAsync(async () => (await ReadAsync(page)).Updates >= 4, TimeSpan.FromSeconds(20), "the page should receive frames");
        var before = await ReadAsync(page);
        Assert.Equal("listener", before.Source);

        var burst = Load.AtRateAsync(api.Client, $"/pitfalls/blocking-io/bad?delayMs={k6["DELAY_MS"]}", k6["RATE"], BurstSeconds, TimeSpan.FromSeconds(10));
        var seen = new List<(TimeSpan At, DomFigures Figures)>();
        var clock = Stopwatch.StartNew();
        string? screenshot = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(BurstSeconds))
        {
            seen.Add((clock.Elapsed, await ReadAsync(page)));
            if (screenshot is null && clock.Elapsed > TimeSpan.FromSeconds(BurstSeconds - 1.5))
            {
                screenshot = Browser.ScreenshotPath("live-blocking-io-bad.png");
                await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            }
            await Task.Delay(250);
        }
        var load = await burst;
        var after = await ReadAsync(page);
        var span = clock.Elapsed;

        var updates = after.Updates - before.Updates;
        // Between two reads of the DOM that saw the counter move, how long it stood still (the tail counts too).
        var moved = seen.Where((s, i) => i == 0 || s.Figures.Updates != seen[i - 1].Figures.Updates).Select(s => s.At).Append(seen[^1].At).ToList();
        var longestStall = moved.Zip(moved.Skip(1), (a, b) => b - a).Max();
        var peakThreads = seen.Max(s => s.Figures.Threads);
        output.WriteLine($"burst {k6["RATE"]}/s delayMs {k6["DELAY_MS"]}: {load}");
        output.WriteLine($"page: threads {before.Threads} -> peak {peakThreads}, peak queued {seen.Max(s => s.Figures.Queued)}, " +
                         $"{updates} updates in {span.TotalSeconds:F1} s (the burst and its requests' tail) = {updates / span.TotalSeconds:F2}/s, longest stall seen {longestStall.TotalMilliseconds:F0} ms, source {after.Source}");
        output.WriteLine($"runtime on the page: starvation {before.StarvationEvents} -> {after.StarvationEvents}, blocking waits {before.BlockingWaits} -> {after.BlockingWaits}, markers drawn {after.Markers}");
        output.WriteLine($"screenshot: {screenshot}");

        Assert.True(peakThreads > before.Threads, $"the page's thread-pool figure should rise: {before.Threads} -> {peakThreads}");
        Assert.True(updates >= 2 * BurstSeconds, $"only {updates} updates during the burst");
        Assert.True(longestStall < TimeSpan.FromSeconds(2), $"the page's update counter stalled for {longestStall.TotalMilliseconds:F0} ms");
        Assert.Equal("listener", after.Source);
        // The runtime's own word reaches the page: its starvation total rose and the charts drew a marker for it.
        Assert.True(after.StarvationEvents > before.StarvationEvents, $"the page's starvation figure should rise: {before.StarvationEvents} -> {after.StarvationEvents}");
        Assert.True(after.Markers > before.Markers, $"no marker drawn: {before.Markers} -> {after.Markers}");
    }

    private sealed record DomFigures(long Updates, int Threads, long Queued, string Source, long StarvationEvents, long BlockingWaits, long Markers);

    private static async Task<DomFigures> ReadAsync(IPage page)
    {
        var d = await page.EvaluateAsync<Dictionary<string, string>>("() => ({ ...document.body.dataset })");
        static long Num(Dictionary<string, string> d, string key) => long.TryParse(d.GetValueOrDefault(key), out var n) ? n : 0;
        return new DomFigures(Num(d, "updates"), (int)Num(d, "threads"), Num(d, "queued"), d.GetValueOrDefault("source") ?? "",
            Num(d, "starvationEvents"), Num(d, "blockingWaits"), Num(d, "markers"));
    }
}

namespace PitfallLab.Tests;

/// <summary>
/// The live page's frames keep coming while blocking-io bad starves the API's thread pool at its k6 defaults: the
/// listener's dedicated threads deliver them; Kestrel's SSE endpoint, on the pool, is measured beside it for comparison.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LiveStreamTests(LabFixture lab, ITestOutputHelper output)
{
    private const double BurstSeconds = 12;

    [Fact]
    public async Task TheLiveListenerDeliversFramesEverySecondWhileBlockingIoBadStarvesThePool()
    {
        var k6 = K6Defaults.Of("blocking-io");
        var livePort = FreePort.Next();
        await using var api = await lab.StartApiAsync(new Dictionary<string, string> { ["Live__Port"] = $"{livePort}" });
        await Load.RunAsync(api.Client, "/pitfalls/blocking-io/good?delayMs=10", concurrency: 2, total: 20);

        await using var listener = new SseCounter(new Uri($"http://127.0.0.1:{livePort}/live/stream"));
        await using var kestrel = new SseCounter(new Uri(api.BaseAddress, "/live/stream"));
        await Task.Delay(2000);
        var quietFrom = listener.Now;
        await Task.Delay(2000);
        var quiet = (Listener: listener.Between(quietFrom, listener.Now), Kestrel: kestrel.Between(quietFrom, kestrel.Now));

        var from = listener.Now;
        var load = await Load.AtRateAsync(api.Client, $"/pitfalls/blocking-io/bad?delayMs={k6["DELAY_MS"]}", k6["RATE"], BurstSeconds, TimeSpan.FromSeconds(10));
        var to = listener.Now;
        var during = (Listener: listener.Between(from, to), Kestrel: kestrel.Between(from, to));
        var seconds = (to - from).TotalSeconds;

        output.WriteLine($"blocking-io/bad at {k6["RATE"]}/s, delayMs {k6["DELAY_MS"]}, {seconds:F1} s: {load}");
        output.WriteLine($"quiet 2 s:  listener {quiet.Listener.Events / 2.0:F1}/s (longest gap {quiet.Listener.LongestGap.TotalMilliseconds:F0} ms), " +
                         $"kestrel {quiet.Kestrel.Events / 2.0:F1}/s (longest gap {quiet.Kestrel.LongestGap.TotalMilliseconds:F0} ms)");
        output.WriteLine($"under load: listener {during.Listener.Events} frames = {during.Listener.Events / seconds:F2}/s (longest gap {during.Listener.LongestGap.TotalMilliseconds:F0} ms), " +
                         $"kestrel {during.Kestrel.Events} frames = {during.Kestrel.Events / seconds:F2}/s (longest gap {during.Kestrel.LongestGap.TotalMilliseconds:F0} ms)");

        Assert.Null(listener.Error);
        Assert.True(load.P95 > 2000, $"the burst should starve the pool (bad's p95 well above its 500 ms of backend wait): {load}");
        // The page needs one update a second; the sampler sends four (longest gap measured: 254-260 ms, also beside
        // stress-ng --cpu 2), so these bounds leave room for a busy CI machine and still fail a listener on the pool.
        Assert.True(during.Listener.Events >= seconds * 2, $"the listener sent {during.Listener.Events} frames in {seconds:F1} s of starvation");
        Assert.True(during.Listener.LongestGap <= TimeSpan.FromSeconds(1), $"the listener went silent for {during.Listener.LongestGap.TotalMilliseconds:F0} ms under load");
    }

    [Fact]
    public async Task ThePageNamesTheListenersBoundPortAndWithoutOneReadsKestrelsStream()
    {
        var livePort = FreePort.Next();
        await using var withListener = await lab.StartApiAsync(new Dictionary<string, string> { ["Live__Port"] = $"{livePort}" });
        var viaKestrel = await withListener.Client.GetStringAsync("/live");
        using var http = new HttpClient();
        var viaListener = await http.GetStringAsync($"http://127.0.0.1:{livePort}/live");
        Assert.Contains($"name=\"live-port\" content=\"{livePort}\"", viaKestrel);
        Assert.Equal(viaKestrel, viaListener);
        Assert.Equal(await withListener.Client.GetByteArrayAsync("/live/uPlot.iife.min.js"), await http.GetByteArrayAsync($"http://127.0.0.1:{livePort}/live/uPlot.iife.min.js"));

        // The fixture's default: Live__Port 0, no listener; the page then falls back to Kestrel's /live/stream.
        var withoutListener = lab.Api;
        Assert.Contains("name=\"live-port\" content=\"0\"", await withoutListener.Client.GetStringAsync("/live"));
        await using var kestrel = new SseCounter(new Uri(withoutListener.BaseAddress, "/live/stream"));
        await Eventually.HoldsAsync(() => Task.FromResult(kestrel.Between(TimeSpan.Zero, kestrel.Now).Events >= 2), TimeSpan.FromSeconds(10),
            () => $"Kestrel's /live/stream should send frames ({kestrel.Error ?? "none yet"})");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PitfallLab.Tests.Fixtures;

namespace PitfallLab.Tests;

/// <summary>The k6 script's scenario, replayed at its own defaults: every variant at the same arrival rate.</summary>
public sealed partial class SharedConnectionTests
{
    [Fact]
    public async Task AtTheK6ScriptsRateGoodAndBatchedMeetTheObjectiveAndBadFailsItsItemErrorThreshold()
    {
        var k6 = K6Defaults.Of("shared-connection");
        const double seconds = 3;
        var runs = new Dictionary<string, BurstResult>();
        foreach (var variant in new[] { "good", "bad", "batched" })
            runs[variant] = await AtRateAsync(variant, k6["LOOKUPS"], k6["RATE"], seconds);
        foreach (var run in runs.Values)
            output.WriteLine($"k6 defaults, {k6["RATE"]}/s for {seconds} s: {run}");

        // The script's objective: item_errors rate < 1%, p95 below SLO_P95_MS, every status 2xx.
        foreach (var fine in new[] { runs["good"], runs["batched"] })
        {
            Assert.Equal(0, fine.ItemsFailed);
            Assert.All(fine.Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.True(fine.Load.P95 < k6["SLO_P95_MS"], $"{fine.Variant} p95 {fine.Load.P95:F0} ms");
        }
        Assert.True(runs["bad"].ItemErrorRate >= 0.5, $"bad should fail most lookups: {runs["bad"]}");
    }

    /// <summary>Like k6's constant-arrival-rate: a request every 1/rate s, whether or not the previous one has answered.</summary>
    private async Task<BurstResult> AtRateAsync(string variant, int lookups, int rate, double seconds)
    {
        var evidence = new ConcurrentBag<JsonElement>();
        var total = (int)(rate * seconds);
        var latencies = new double[total];
        var statuses = new HttpStatusCode[total];
        var running = new List<Task>(total);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > wall.Elapsed) await Task.Delay(due - wall.Elapsed);
            var index = i;
            running.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await lab.Api.Client.GetAsync($"{Root}/{variant}?lookups={lookups}&firstUserId={1 + index * 131 % (4901 - lookups)}");
                var body = await response.Content.ReadAsStringAsync();
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses[index] = response.StatusCode;
                if (response.IsSuccessStatusCode)
                    evidence.Add(JsonDocument.Parse(body).RootElement.GetProperty("evidence").Clone());
            }));
        }
        await Task.WhenAll(running);
        return new BurstResult(variant, new LoadResult(latencies, statuses, wall.Elapsed.TotalMilliseconds), evidence.ToList());
    }
}

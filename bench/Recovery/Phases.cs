using System.Diagnostics;
using PitfallLab.LoadKit;

namespace PitfallLab.Bench.Recovery;

public sealed record Phase(LoadFigures Load, LoadFigures Live);

/// <summary>The three phases of one variant's measurement: good's baseline, bad's load, and the recovery after it.</summary>
public static class Phases
{
    private static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Runs the variant at the bad variant's rate while /health/live is probed 10 times a second beside it.</summary>
    public static async Task<Phase> LoadAsync(HttpClient http, BadVariant bad, string variant, double seconds, Stopwatch clock)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        var live = OpenLoop.RunAsync(http, _ => new HttpRequestMessage(HttpMethod.Get, "/health/live"), 10, duration, LiveTimeout, clock);
        var load = await OpenLoop.RunAsync(http, i => bad.Request(variant, i), bad.Rate, duration,
            bad.TimeoutFor(variant), clock, bad.Evidence);
        return new Phase(load, await live);
    }

    /// <summary>
    /// From the moment the last bad request ended or timed out: a /health/live probe and one good request every 250 ms,
    /// until three rounds in a row have live answering within 1 s and good within 2x its baseline p95 (and the
    /// variant's follow-up call, if it has one, succeeding).
    /// Returns the seconds from that moment to the first of those three rounds, or null after <paramref name="limit"/>.
    /// </summary>
    public static async Task<double?> RecoveryAsync(HttpClient http, BadVariant bad, double goodP95, double lastEndedMs, Stopwatch clock, TimeSpan limit)
    {
        var bound = 2 * goodP95;
        // The streak's clock starts when the last bad request ended, so its limit and its answer count from there.
        var sinceLoad = Stopwatch.StartNew();
        var offset = TimeSpan.FromMilliseconds(clock.Elapsed.TotalMilliseconds - lastEndedMs);
        var first = await Streak.FirstOfAsync(async round =>
        {
            var live = OpenLoop.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "/health/live"), LiveTimeout, clock);
            var good = OpenLoop.SendAsync(http, bad.Request("good", 100_000 + round), bad.TimeoutFor("good"), clock);
            var followUp = bad.FollowUp is { } query
                ? OpenLoop.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, $"/pitfalls/{bad.Pitfall}/{bad.Variant}?{query}"), TimeSpan.FromSeconds(5), clock)
                : Task.FromResult(new Sample(0, 0, 200));
            var (l, g, f) = (await live, await good, await followUp);
            return !l.Failed && !g.Failed && g.LatencyMs <= bound && !f.Failed;
        }, needed: 3, every: TimeSpan.FromMilliseconds(250), limit - offset, sinceLoad);
        return first is null ? null : Math.Max(0, (first.Value + offset).TotalSeconds);
    }
}

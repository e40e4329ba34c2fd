using System.Diagnostics;
using System.Net;
using PitfallLab.Tests.Fixtures;

namespace PitfallLab.Tests;

public sealed partial class CancellationLeakTests
{
    private const int K6Iterations = 16;

    [Fact]
    public async Task AtTheK6ScriptsDefaultsBadsFollowUpsFailOnThePoolAndGoodsNeverDo()
    {
        var k6 = K6Defaults.Of("cancellation-leak");
        await WaitRecoveredAsync("good");
        var good = await K6IterationsAsync("good", k6);
        await WaitRecoveredAsync("bad");
        var bad = await K6IterationsAsync("bad", k6);

        // How long the lab takes to serve bad again once its load has stopped, with nobody's help but the guard.
        var clock = Stopwatch.StartNew();
        await Eventually.HoldsAsync(async () =>
        {
            using var call = await lab.Api.Client.GetAsync($"{Root}/bad?queryMs=0&delayMs=0");
            return call.IsSuccessStatusCode;
        }, GuardBound, "bad should recover once the load stops");
        var recovery = clock.Elapsed;
        await WaitRecoveredAsync("bad");
        var holding = clock.Elapsed;

        output.WriteLine($"k6 defaults ({K6Iterations} iterations at {k6["RATE"]}/s, give up after {k6["GIVE_UP_MS"]} ms, queryMs={k6["QUERY_MS"]}, delayMs={k6["DELAY_MS"]}):");
        output.WriteLine($"good follow-ups: {Tally(good)}");
        output.WriteLine($"bad  follow-ups: {Tally(bad)}");
        output.WriteLine($"bad served again {recovery.TotalSeconds:F1} s after its last follow-up answered; no bad connection open {holding.TotalSeconds:F1} s after it");

        Assert.All(good, s => Assert.Equal(HttpStatusCode.OK, s));
        // The guard's reclaims let some of bad's follow-ups through (5 to 12 of 16 failed in the runs measured): a floor, not a rate.
        Assert.True(bad.Count(s => s == HttpStatusCode.ServiceUnavailable) >= 2, $"bad's follow-ups should fail on the exhausted pool: {Tally(bad)}");
    }

    /// <summary>What one k6 iteration does, at the script's rate: a report abandoned after GIVE_UP_MS, then a follow-up.</summary>
    private async Task<List<HttpStatusCode>> K6IterationsAsync(string variant, Dictionary<string, int> k6)
    {
        var iterations = Enumerable.Range(0, K6Iterations).Select(async i =>
        {
            await Task.Delay(TimeSpan.FromSeconds(i / (double)k6["RATE"]));
            await Abandon.CallsAsync(lab.Api.BaseAddress, $"{Root}/{variant}?queryMs={k6["QUERY_MS"]}&delayMs={k6["DELAY_MS"]}", 1, k6["GIVE_UP_MS"]);
            using var followUp = await lab.Api.Client.GetAsync($"{Root}/{variant}?queryMs=0&delayMs=0");
            return followUp.StatusCode;
        });
        return [.. await Task.WhenAll(iterations)];
    }

    private static string Tally(IEnumerable<HttpStatusCode> statuses) =>
        string.Join(", ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}"));
}

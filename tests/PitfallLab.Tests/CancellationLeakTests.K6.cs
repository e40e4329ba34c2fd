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

    /// <summary>
    /// What the k6 script does, at its rate: each iteration a report abandoned after GIVE_UP_MS, then a follow-up. A
    /// report always outlasts GIVE_UP_MS (its query does, and so does an exhausted pool's 1 s Timeout), so the follow-ups
    /// are the same arrival rate, GIVE_UP_MS later.
    /// </summary>
    private async Task<List<HttpStatusCode>> K6IterationsAsync(string variant, Dictionary<string, int> k6)
    {
        var (rate, giveUp) = (k6["RATE"], TimeSpan.FromMilliseconds(k6["GIVE_UP_MS"]));
        var seconds = (K6Iterations + 0.5) / rate; // rate x seconds rounds down to K6Iterations
        var reports = Load.AtRateAsync(lab.Api.Client, $"{Root}/{variant}?queryMs={k6["QUERY_MS"]}&delayMs={k6["DELAY_MS"]}", rate, seconds, giveUp);
        await Task.Delay(giveUp);
        var followUps = await Load.AtRateAsync(lab.Api.Client, $"{Root}/{variant}?queryMs=0&delayMs=0", rate, seconds);
        Assert.All((await reports).Statuses, s => Assert.Equal((HttpStatusCode)0, s)); // every report abandoned
        return [.. followUps.Statuses];
    }

    private static string Tally(IEnumerable<HttpStatusCode> statuses) =>
        string.Join(", ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}"));
}

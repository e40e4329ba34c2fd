namespace PitfallLab.Tests;

/// <summary>
/// Bad variants hurt only while they run: after an overload whose clients gave up, the same process answers
/// /health/live and the good variant at its own pace again within seconds (bench/recovery measures how many).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class StageGuardTests(LabFixture lab, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("blocking-io", "bad")]
    [InlineData("sync-over-async", "bad")]
    public async Task AfterAnOverloadWhoseClientsGaveUpTheLabAnswersNormallyAgainWithinSeconds(string pitfall, string variant)
    {
        await using var api = await lab.StartApiAsync();
        var good = $"/pitfalls/{pitfall}/good?delayMs=100";
        await Load.RunAsync(api.Client, good, concurrency: 2, total: 20);
        var baseline = await Load.RunAsync(api.Client, good, concurrency: 4, total: 40);

        // Twice what async code needs threads for, and clients that give up after 2 s: the backlog a stage run leaves.
        var load = await Load.AtRateAsync(api.Client, $"/pitfalls/{pitfall}/{variant}?delayMs=100", rate: 150, seconds: 6, TimeSpan.FromSeconds(2));
        var ended = Stopwatch.StartNew();
        var recoveredAfter = await RecoveredAsync(api.Client, good, bound: 3 * baseline.P50 + 100);
        var stats = await LabStats.ReadAsync(api.Client);
        output.WriteLine($"{pitfall}/{variant}: load {load}; good before {baseline}; recovered {recoveredAfter?.TotalSeconds:F1} s after the load; " +
                         $"guardrails {stats.GetProperty("guardrails")}");

        Assert.True(load.Failures > 0, $"the load should overload bad so that clients give up: {load}");
        Assert.True(recoveredAfter is not null, $"not answering normally {ended.Elapsed.TotalSeconds:F0} s after the load ended");
        Assert.True(recoveredAfter <= RecoveryBound, $"recovered only {recoveredAfter?.TotalSeconds:F1} s after the load");
    }

    /// <summary>How long until /health/live and three good requests in a row answer within <paramref name="bound"/> ms; null if not within 60 s.</summary>
    private static Task<TimeSpan?> RecoveredAsync(HttpClient client, string good, double bound) =>
        Streak.FirstOfAsync(async _ => await AnswersWithinAsync(client, "/health/live", 1000) && await AnswersWithinAsync(client, good, bound),
            needed: 3, every: TimeSpan.FromMilliseconds(200), limit: TimeSpan.FromSeconds(60), Stopwatch.StartNew());

    private static async Task<bool> AnswersWithinAsync(HttpClient client, string path, double ms)
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(path, giveUp.Token);
            return response.IsSuccessStatusCode && Stopwatch.GetElapsedTime(started).TotalMilliseconds <= ms;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException) { return false; }
    }
}

namespace PitfallLab.Tests;

public sealed partial class CancellationLeakTests
{
    [Fact]
    public async Task TheAbandonDriverShowsWhatBadLeftBehindAndThatGoodLeftNothing()
    {
        await WaitRecoveredAsync("good");
        var good = await AbandonViaDriverAsync("good");
        await WaitRecoveredAsync("bad");
        var bad = await AbandonViaDriverAsync("bad");

        var (goodAbort, goodEnded) = (good.GetProperty("afterAbort"), good.GetProperty("afterHandlersEnded"));
        Assert.Equal(0, goodAbort.GetProperty("activeQueries").GetInt64());
        Assert.Equal(0, goodEnded.GetProperty("connectionsLeaked").GetInt32());
        Assert.Equal(0, goodEnded.GetProperty("poolInUse").GetInt64());
        Assert.True(good.GetProperty("freshCall").GetProperty("succeeded").GetBoolean(), $"good's fresh call should succeed: {good}");

        var (badAbort, badEnded) = (bad.GetProperty("afterAbort"), bad.GetProperty("afterHandlersEnded"));
        Assert.True(badAbort.GetProperty("activeQueries").GetInt64() > 0, $"bad's queries should outlive their clients: {bad}");
        Assert.True(badAbort.GetProperty("backendInFlight").GetInt32() > 0, $"bad's backend calls should outlive their clients: {bad}");
        Assert.True(badEnded.GetProperty("connectionsLeaked").GetInt32() > 0, $"bad should leak connections: {bad}");
        Assert.Equal(0, badEnded.GetProperty("handlersRunning").GetInt32());
        var fresh = bad.GetProperty("freshCall");
        Assert.Equal(503, fresh.GetProperty("status").GetInt32());
        Assert.Contains("pitfalllab/cancellation-leak/bad", fresh.GetProperty("problem").GetString());

        await WaitRecoveredAsync("bad"); // the guard cleans up after the driver too
    }

    [Fact]
    public async Task LabResetClosesLeakedConnectionsAtOnceWhichDisposingThePoolAloneWouldNot()
    {
        // A guard that waits a minute, so that what closes the leaks here is the reset.
        await using var api = await lab.StartApiAsync(new Dictionary<string, string> { ["CancellationLeak__LeakGraceSeconds"] = "60" });
        var others = await Abandon.PidsAsync(lab.Db.ConnectionString, AppName("bad")); // the shared API's pool has the same name
        // Warm first: on a cold process under load, a client that gives up in 300 ms may leave before its request even
        // starts, and the lab's stage guard then does not run it at all (so nothing leaks).
        await api.Client.GetJsonAsync($"{Root}/bad?queryMs=0&delayMs=0");
        await Abandon.CallsAsync(api.BaseAddress, $"{Root}/bad?queryMs=3000&delayMs=0", Clients, abortAfterMs: 1000);
        JsonElement leaks = default;
        await Eventually.HoldsAsync(async () => (leaks = await LeaksAsync(api.Client, "bad")).Figure("leakedNow") == Clients,
            TimeSpan.FromSeconds(10), () => $"bad should leak all {Clients} connections: {leaks}");
        var leaked = (await Abandon.PidsAsync(lab.Db.ConnectionString, AppName("bad"))).Except(others).ToHashSet();
        Assert.Equal(Clients, leaked.Count);

        var clock = Stopwatch.StartNew();
        await api.Client.PostJsonAsync("/lab/reset");
        HashSet<int> left = [];
        await Eventually.HoldsAsync(async () => (left = (await Abandon.PidsAsync(lab.Db.ConnectionString, AppName("bad"))).Intersect(leaked).ToHashSet()).Count == 0,
            TimeSpan.FromSeconds(5), () => $"the leaked sessions should leave PostgreSQL after the reset: {left.Count} of {leaked.Count} still there");
        var gone = clock.ElapsedMilliseconds;
        // The guard closes them on its first sweep after the reset disposed their pool, and counts them for that reset.
        long byReset = 0;
        await Eventually.HoldsAsync(async () => (byReset = (await LeaksAsync(api.Client, "bad")).Figure("reclaimedByReset")) == Clients,
            TimeSpan.FromSeconds(5), () => $"the guard should count the {Clients} connections the reset closed: {byReset}");
        output.WriteLine($"reset: {byReset} leaked connections were still open after the pool's dispose and were closed by the guard; PostgreSQL had none of the {leaked.Count} left {gone} ms after the reset");

        var later = await api.Client.GetJsonAsync($"{Root}/bad?queryMs=0&delayMs=0");
        Assert.Equal("bad", later.GetProperty("variant").GetString());
    }

    private async Task<JsonElement> AbandonViaDriverAsync(string variant)
    {
        using var response = await lab.Api.Client.PostAsync($"{Root}/abandon?variant={variant}&clients=10&abortAfterMs={AbortAfterMs}", content: null);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"abandon {variant}: {body}");
        Assert.True(response.IsSuccessStatusCode, $"the driver answered {(int)response.StatusCode}: {body}");
        var observation = JsonDocument.Parse(body).RootElement;
        Assert.Equal(10, observation.GetProperty("result").GetProperty("abandoned").GetInt32());
        return observation.GetProperty("evidence").Clone();
    }
}

namespace PitfallLab.Tests;

/// <summary>The simulated third-party API the pitfalls call: its knobs must do exactly what they say.</summary>
[Collection(LabCollection.Name)]
public sealed class BackendTests(LabFixture lab)
{
    private HttpClient Backend => lab.Backend.Client;

    [Fact]
    public async Task FailIdsFailExactlyThoseIdsWithAProblemDetailsNamingTheId()
    {
        using var failing = await Backend.GetAsync("/users/3?failIds=3,7");
        using var fine = await Backend.GetAsync("/users/4?failIds=3,7");

        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        var problem = JsonDocument.Parse(await failing.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(3, problem.GetProperty("id").GetInt32());
        Assert.Equal("failIds", problem.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task SeededFailureRateIsReproducibleAndRoughlyTheRateAsked()
    {
        async Task<bool[]> Draw() => await Task.WhenAll(Enumerable.Range(1, 200).Select(async id =>
        {
            using var response = await Backend.GetAsync($"/work/{id}?failRate=0.25&seed=42");
            return response.IsSuccessStatusCode;
        }));

        var first = await Draw();
        var second = await Draw();

        Assert.Equal(first, second);
        Assert.InRange(first.Count(ok => !ok), 25, 75); // 25% of 200 is 50
    }

    [Fact]
    public async Task BeyondTheConcurrencyCapItAnswers429AndStatsShowInFlightAboveTheCap()
    {
        // A backend of its own: its counters are exact only if no other test's call can reach them.
        await using var backend = await ServiceProcess.StartAsync("PitfallLab.Backend", new Dictionary<string, string>());

        // Five calls fill the cap and stay in flight (the longest delay allowed) until the test lets them go, so every
        // later call arrives above the cap however slowly a busy machine sends it. With 30 calls of 500 ms sent at once,
        // one CI run saw six answered 200: the last calls had arrived after the first ones ended.
        using var release = new CancellationTokenSource();
        var held = Enumerable.Range(1, 5)
            .Select(id => backend.Client.GetAsync($"/work/{id}?delayMs=60000&cap=5", release.Token))
            .ToArray();
        await backend.WhenInFlightAsync(calls: 5);

        var refused = await Task.WhenAll(Enumerable.Range(6, 25).Select(async id =>
        {
            using var response = await backend.Client.GetAsync($"/work/{id}?cap=5");
            return (response.StatusCode, Problem: JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }));
        var heldStillInFlight = (await backend.Client.GetJsonAsync("/stats")).GetProperty("inFlight").GetInt32();
        await release.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(held));
        var stats = await backend.AfterAsync(calls: 30);

        Assert.All(refused, call =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, call.StatusCode);
            Assert.Equal(5, call.Problem.GetProperty("cap").GetInt32());
            Assert.InRange(call.Problem.GetProperty("inFlight").GetInt32(), 6, 30);
        });
        Assert.Equal(5, heldStillInFlight); // the calls within the cap were let in, not refused
        Assert.True(stats.GetProperty("maxInFlight").GetInt32() > 5, $"maxInFlight should exceed the cap: {stats}");
        Assert.Equal(25, stats.GetProperty("byStatus").GetProperty("429").GetInt64());
        Assert.Equal(5, stats.GetProperty("aborted").GetInt64());
    }

    [Fact]
    public async Task DelayIsReallyWaitedAndAClientThatLeavesIsCountedAsAborted()
    {
        await using var backend = await ServiceProcess.StartAsync("PitfallLab.Backend", new Dictionary<string, string>());
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.Client.GetAsync("/work/1?delayMs=5000", impatient.Token));
        // Bounded wait for the call to have ended there (not a fixed sleep): counted once, as aborted, not as a status.
        var stats = await backend.AfterAsync(calls: 1);

        Assert.Equal(1, stats.GetProperty("aborted").GetInt64());
        Assert.Equal(0, stats.GetProperty("inFlight").GetInt32());
        Assert.Equal(1, stats.GetProperty("total").GetInt64());
        Assert.Empty(stats.GetProperty("byStatus").EnumerateObject());
    }
}

using System.Net;
using System.Text.Json;
using PitfallLab.Tests.Fixtures;

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
        await Backend.PostJsonAsync("/stats/reset");

        var statuses = await Task.WhenAll(Enumerable.Range(1, 30).Select(async id =>
        {
            using var response = await Backend.GetAsync($"/work/{id}?delayMs=500&cap=5");
            return response.StatusCode;
        }));
        var stats = await Backend.GetJsonAsync("/stats");

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 1, 5);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(stats.GetProperty("maxInFlight").GetInt32() > 5, $"maxInFlight should exceed the cap: {stats}");
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.TooManyRequests),
            stats.GetProperty("byStatus").GetProperty("429").GetInt64());
    }

    [Fact]
    public async Task DelayIsReallyWaitedAndAClientThatLeavesIsCountedAsAborted()
    {
        await Backend.PostJsonAsync("/stats/reset");
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Backend.GetAsync("/work/1?delayMs=5000", impatient.Token));
        await Task.Delay(300);
        var stats = await Backend.GetJsonAsync("/stats");

        Assert.Equal(1, stats.GetProperty("aborted").GetInt64());
        Assert.Equal(0, stats.GetProperty("inFlight").GetInt32());
    }
}

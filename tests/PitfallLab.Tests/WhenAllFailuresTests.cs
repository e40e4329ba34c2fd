namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed partial class WhenAllFailuresTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Route = "/pitfalls/whenall-failures";
    // Users 3 and 7 fail after 200 ms; the other 8 answer after 2 s: the siblings are mid-flight when the first one fails.
    private const string TwoFailures = "count=10&failIds=3,7&failAfterMs=200&delayMs=2000";

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    [InlineData("failfast")]
    public async Task WhenNothingFailsEveryVariantReturnsEveryUser(string variant)
    {
        var (status, body) = await GetAsync($"{Route}/{variant}?count=10&firstId=41&failIds=&delayMs=20");

        Assert.Equal(200, status);
        Assert.Equal(variant, body.GetProperty("variant").GetString());
        Assert.Equal(Enumerable.Range(41, 10), Ids(body.GetProperty("result").GetProperty("items")));
        Assert.Empty(body.GetProperty("result").GetProperty("errors").EnumerateArray());
        Assert.Equal(10, Evidence(body, "callsSucceeded"));
    }

    [Fact]
    public async Task WithTwoFailingIdsBadAnswersOneErrorAndNoUsersWhereGoodAnswersEightUsersAndBothErrors()
    {
        var (badStatus, bad) = await GetAsync($"{Route}/bad?{TwoFailures}");
        var (goodStatus, good) = await GetAsync($"{Route}/good?{TwoFailures}");
        Show($"bad {badStatus}", bad);
        Show($"good {goodStatus}", good);

        // Bad: a 502 ProblemDetails that names one failure (the first in list order) and no users...
        Assert.Equal(502, badStatus);
        Assert.Equal("bad", bad.GetProperty("variant").GetString());
        Assert.Empty(bad.GetProperty("result").GetProperty("items").EnumerateArray());
        var reported = Assert.Single(bad.GetProperty("result").GetProperty("errors").EnumerateArray());
        Assert.Equal(3, reported.GetProperty("id").GetInt32());
        Assert.Contains("user 3", bad.GetProperty("detail").GetString());
        Assert.DoesNotContain("user 7", bad.GetProperty("detail").GetString());
        // ...although both failures happened and 8 users arrived, after WhenAll had waited for every one of them.
        Assert.Equal((8, 2, 1, 8), (Evidence(bad, "callsSucceeded"), Evidence(bad, "callsFailed"), Evidence(bad, "errorsHidden"), Evidence(bad, "successesDiscarded")));
        Assert.True(Evidence(bad, "callsCompletedAfterFirstFailure") >= 8, "WhenAll waited for the siblings after the first failure");

        Assert.Equal(200, goodStatus);
        Assert.Equal([1, 2, 4, 5, 6, 8, 9, 10], Ids(good.GetProperty("result").GetProperty("items")));
        var errors = good.GetProperty("result").GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([3, 7], errors.Select(e => e.GetProperty("id").GetInt32()));
        Assert.All(errors, e => Assert.Equal(500, e.GetProperty("status").GetInt32()));
        Assert.All(errors, e => Assert.Contains("failIds", e.GetProperty("error").GetString()));
        Assert.Equal((0, 0), (Evidence(good, "errorsHidden"), Evidence(good, "successesDiscarded")));
    }

    [Fact]
    public async Task FailFastCancelsTheSiblingsAtTheFirstFailureAndCompletesFewerBackendCallsThanBad()
    {
        var (bad, badBackend) = await WithBackendStatsAsync($"{Route}/bad?{TwoFailures}");
        var (failFast, failFastBackend) = await WithBackendStatsAsync($"{Route}/failfast?{TwoFailures}");
        Show("bad", bad, badBackend);
        Show("failfast", failFast, failFastBackend);

        Assert.Equal(502, failFast.GetProperty("status").GetInt32());
        Assert.Empty(failFast.GetProperty("result").GetProperty("items").EnumerateArray());
        var completed = Evidence(failFast, "callsCompleted");
        Assert.True(completed < Evidence(bad, "callsCompleted"), $"failfast completed {completed} backend calls, bad {Evidence(bad, "callsCompleted")}");
        Assert.Equal(0, Evidence(failFast, "callsSucceeded"));
        Assert.Equal(10 - completed, Evidence(failFast, "callsCancelled"));
        Assert.Equal(Evidence(failFast, "callsFailed"), Evidence(failFast, "errorsReported")); // every error that happened
        // Typically ~200 ms against ~2000 ms; half leaves room for a busy machine's stalls.
        Assert.True(2 * Elapsed(failFast) < Elapsed(bad), $"failfast took {Elapsed(failFast)} ms, bad {Elapsed(bad)} ms");

        // The backend saw it too: bad let the 8 slow calls run to the end, failfast hung up on every one of them.
        // (Its cancelled count may include user 7, whose 500 was already on the wire: the backend counts that as a 500.)
        Assert.Equal(0, badBackend.GetProperty("aborted").GetInt64());
        Assert.Equal(8, badBackend.GetProperty("byStatus").GetProperty("200").GetInt64());
        // Users 3 and 7 fail at the same moment: whichever is second is either already a 500 on the wire or hung up
        // on with the 8 slow ones. Either way every one of the 10 calls is accounted for, and all 8 slow ones aborted.
        var aborted = failFastBackend.GetProperty("aborted").GetInt64();
        var failed = failFastBackend.GetProperty("byStatus").TryGetProperty("500", out var n) ? n.GetInt64() : 0;
        Assert.InRange(aborted, 8, 9);
        Assert.Equal(10, aborted + failed);
        Assert.False(failFastBackend.GetProperty("byStatus").TryGetProperty("200", out _), $"no slow call ran to the end: {failFastBackend}");
    }

    [Fact]
    public async Task CatalogEntryStatesWhatGatherAndWhenAllReallyDo()
    {
        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/whenall-failures");

        Assert.Equal(3, entry.GetProperty("number").GetInt32());
        Assert.Equal(["bad", "failfast", "good"], entry.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("variant").GetString()).Order());
        Assert.Contains("does not cancel", entry.GetProperty("asyncioOriginal").GetString());
        Assert.Contains("TaskGroup", entry.GetProperty("asyncioOriginal").GetString());
        Assert.Contains("never cancels", entry.GetProperty("dotnetMechanism").GetString());
    }

    private void Show(string what, JsonElement observation, JsonElement? backend = null) =>
        output.WriteLine($"{what + ":",-9} {Elapsed(observation)} ms {observation.GetProperty("evidence")}{(backend is { } b ? $"; backend {b}" : "")}");

    private static int Evidence(JsonElement observation, string name) => observation.GetProperty("evidence").GetProperty(name).GetInt32();

    private static double Elapsed(JsonElement observation) => observation.GetProperty("elapsedMs").GetDouble();

    private static IEnumerable<int> Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).ToList();

    private async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await lab.Api.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json", body);
        return ((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    /// <summary>One request with the backend's counters to itself: reset once idle, read once every call has ended there.</summary>
    private async Task<(JsonElement Observation, JsonElement Backend)> WithBackendStatsAsync(string path)
    {
        await lab.Backend.ResetWhenIdleAsync();
        var (_, observation) = await GetAsync(path);
        return (observation, await lab.Backend.AfterAsync(calls: 10));
    }
}

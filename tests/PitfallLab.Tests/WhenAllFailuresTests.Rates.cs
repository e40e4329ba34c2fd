namespace PitfallLab.Tests;

/// <summary>The k6 script's scenario, proven here: a random 5% item failure rate, every variant under the same load.</summary>
public sealed partial class WhenAllFailuresTests
{
    [Fact]
    public async Task UnderAFivePercentItemFailureRateBadFailsSeveralTimesMoreRequestsThanGoodFailsItems()
    {
        const int requests = 150, count = 10;
        await lab.Api.Client.PostJsonAsync("/lab/reset");
        // Seeds 1..150: a failure is a pure function of (seed, id), so every variant meets the very same failures and
        // the figures are the same on every run. Expected: 1 - 0.95^10 = 40% of bad's requests fail, 5% of the items.
        var good = await RunSeedsAsync("good", requests, count);
        var bad = await RunSeedsAsync("bad", requests, count);
        var failFast = await RunSeedsAsync("failfast", requests, count);

        var itemErrors = good.Select(r => r.Body.GetProperty("result").GetProperty("errors").GetArrayLength()).ToList();
        var itemFailureRate = itemErrors.Sum() / (double)(requests * count);
        double RequestFailureRate((int Status, JsonElement)[] runs) => runs.Count(r => r.Status != 200) / (double)requests;
        int Total((int, JsonElement Body)[] runs, string name) => runs.Sum(r => Evidence(r.Body, name));
        foreach (var (name, runs) in new[] { ("good", good), ("bad", bad), ("failfast", failFast) })
            output.WriteLine($"{name,-8} {requests} requests x {count} users, failRate 0.05, delayMs 100, failAfterMs 20: " +
                $"request failure rate {RequestFailureRate(runs):P1}, items failed {Total(runs, "callsFailed")}, errors reported {Total(runs, "errorsReported")}, " +
                $"errors hidden {Total(runs, "errorsHidden")}, users discarded {Total(runs, "successesDiscarded")}, calls cancelled {Total(runs, "callsCancelled")}");

        Assert.Equal(0, RequestFailureRate(good));
        Assert.InRange(itemFailureRate, 0.02, 0.09);
        Assert.True(RequestFailureRate(bad) >= 3 * itemFailureRate,
            $"bad request failure rate {RequestFailureRate(bad):P1} should be >= 3x the item failure rate {itemFailureRate:P1}");
        for (var i = 0; i < requests; i++)
        {
            // Bad and failfast failed exactly the requests in which some item failed; bad reported one error of them.
            Assert.Equal(itemErrors[i] > 0 ? 502 : 200, bad[i].Status);
            Assert.Equal(itemErrors[i] > 0 ? 502 : 200, failFast[i].Status);
            Assert.Equal(itemErrors[i], Evidence(bad[i].Body, "callsFailed"));
            Assert.Equal(Math.Min(itemErrors[i], 1), Evidence(bad[i].Body, "errorsReported"));
        }
        // What the k6 checks read: good and failfast hide no error; bad hides some and throws users away, failfast
        // (almost) none, because its siblings were cancelled before they finished.
        Assert.Equal((0, 0), (Total(good, "errorsHidden"), Total(good, "successesDiscarded")));
        Assert.Equal(0, Total(failFast, "errorsHidden"));
        Assert.True(Total(bad, "errorsHidden") > 0, "at 5% some requests have two failures, and bad reports one");
        Assert.True(Total(failFast, "successesDiscarded") * 10 <= Total(bad, "successesDiscarded"),
            $"failfast discarded {Total(failFast, "successesDiscarded")} users, bad {Total(bad, "successesDiscarded")}");
        Assert.True(Total(failFast, "callsCancelled") > 0);

        // The running totals in /lab/stats tell the same story: the rates from their totals.
        var stats = await LabStats.PitfallAsync(lab.Api.Client, "whenall-failures");
        double Rate(string variant, string part, string whole) => stats.Variant(variant).Figure(part) / (double)stats.Variant(variant).Figure(whole);
        Assert.Equal(RequestFailureRate(bad), Rate("bad", "requestsFailed", "requests"), 3);
        Assert.Equal(itemFailureRate, Rate("good", "itemsFailed", "items"), 3);
        Assert.Equal(Total(bad, "errorsHidden"), stats.Variant("bad").Figure("errorsHidden"));
        // The requests bad failed are exactly those good answered in part.
        Assert.Equal(stats.Variant("bad").Figure("requestsFailed"), stats.Variant("good").Figure("requestsWithFailedItems"));
    }

    private async Task<(int Status, JsonElement Body)[]> RunSeedsAsync(string variant, int requests, int count)
    {
        var results = new (int Status, JsonElement Body)[requests];
        await Load.RunAsync(concurrency: 8, requests, async i =>
        {
            results[i] = await GetAsync($"{Route}/{variant}?count={count}&failIds=&failRate=0.05&seed={i + 1}&delayMs=100&failAfterMs=20");
            return (HttpStatusCode)results[i].Status;
        });
        return results;
    }
}

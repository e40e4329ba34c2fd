using static PitfallLab.Tests.Fixtures.FireAndForgetClient;

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class FireAndForgetTests(LabFixture lab, ITestOutputHelper output)
{
    // Customers 1..12 at failRate 0.5: the backend's fixed seed declines the same mix in every run.
    private const int Charges = 12;
    private const int LoadCharges = 60, LoadRate = 20;

    [Fact]
    public async Task GoodMakesEveryFailedChargeVisibleThroughItsJobStatusAndTheLog()
    {
        var api = lab.Api;
        var before = await api.TallyAsync("good");

        var charges = await Task.WhenAll(Enumerable.Range(1, Charges).Select(c => api.ChargeAsync("good", $"customerId={c}&failRate=0.5&delayMs=20")));
        Assert.All(charges, c => Assert.Equal($"{Root}/jobs/{c.Id}", c.Location));
        var jobs = await Task.WhenAll(charges.Select(c => api.FinishedJobAsync(c.Id)));

        var failed = jobs.Where(j => j.GetProperty("status").GetString() == "failed").ToList();
        var done = jobs.Where(j => j.GetProperty("status").GetString() == "done").ToList();
        Assert.InRange(failed.Count, 1, Charges - 1);
        Assert.All(failed, j => Assert.Contains("backend answered 500", j.GetProperty("error").GetString()));
        Assert.All(done, j => Assert.True(j.GetProperty("payload").GetProperty("orderId").GetInt64() > 0));
        Assert.Equal(done.Count, (await PaidAsync(lab.Db.ConnectionString, charges.Select(c => c.Id))).Count);

        // Every failure that happened is where someone can see it: the job record, and the log with the job id.
        var after = await api.TallyAsync("good");
        Assert.Equal(failed.Count, Delta(before, after, "failuresHappened"));
        Assert.Equal(failed.Count, Delta(before, after, "failuresVisible"));
        foreach (var id in failed.Select(j => j.GetProperty("id").GetString()))
            await Eventually.HoldsAsync(() => Task.FromResult(api.RecentOutput.Contains($"Charge job {id} failed", StringComparison.Ordinal)), JobPatience, $"the log names failed job {id}");
        output.WriteLine($"good: {Charges} charges, {failed.Count} failed, {failed.Count} visible (job status failed + log line), {done.Count} done");
    }

    [Fact]
    public async Task BadLosesEveryFailedChargeExceptToTheUnobservedCounterAfterAForcedCollection()
    {
        var api = lab.Api;
        var before = await api.TallyAsync("bad");

        var charges = await Task.WhenAll(Enumerable.Range(1, Charges).Select(c => api.ChargeAsync("bad", $"customerId={c}&failRate=0.5&delayMs=20")));
        Assert.All(charges, c => Assert.Null(c.Location));
        var after = await api.RanToTheEndAsync("bad", before, Charges);
        var failures = Delta(before, after, "failuresHappened");
        Assert.InRange(failures, 1, Charges - 1);
        Assert.Equal(0, Delta(before, after, "failuresVisible"));

        // The work really ran: the successful charges wrote their orders. The failed ones left nothing anywhere.
        var ids = charges.Select(c => c.Id).ToList();
        var paid = await PaidAsync(lab.Db.ConnectionString, ids);
        Assert.Equal(Charges - failures, paid.Count);
        var lost = ids.Where(id => !paid.Contains(id)).ToHashSet();
        await using (var db = new NpgsqlConnection(lab.Db.ConnectionString))
            Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs WHERE id = ANY(@ids)", new { ids = ids.ToArray() }));
        foreach (var id in ids)
            Assert.Equal("unknown", await api.OutcomeAsync(id));
        // Not a fixed sleep: a good charge that fails after bad's have ended logs a line; once that line has reached
        // the test's stdout reader, any line bad's charges logged before it has too (one ordered console stream).
        var marker = await api.ChargeAsync("good", "customerId=1&failRate=1&delayMs=0");
        await Eventually.HoldsAsync(() => Task.FromResult(api.RecentOutput.Contains($"Charge job {marker.Id} failed", StringComparison.Ordinal)),
            JobPatience, $"the log names the failed marker job {marker.Id}");
        Assert.All(ids, id => Assert.DoesNotContain(id.ToString(), api.RecentOutput, StringComparison.Ordinal));

        // Only a GC that finalizes the dropped Tasks makes the runtime report them: without the request, without a caller.
        var revealed = new HashSet<Guid>();
        var (collections, unobserved) = (0, default(JsonElement));
        await Eventually.HoldsAsync(async () =>
        {
            collections++;
            unobserved = (await api.Client.PostJsonAsync($"{Root}/collect")).GetProperty("result").GetProperty("after");
            foreach (var message in unobserved.GetProperty("recent").EnumerateArray().Select(m => m.GetString()!))
                revealed.UnionWith(lost.Where(id => message.Contains(id.ToString(), StringComparison.Ordinal)));
            return revealed.SetEquals(lost);
        }, JobPatience, "a forced collection reports every lost charge through UnobservedTaskException");
        output.WriteLine($"bad: {Charges} charges, {failures} failed, 0 visible (no job, no log); after {collections} forced GC(s) UnobservedTaskException reported " +
            $"{revealed.Count} of them (process-wide so far: {unobserved.GetProperty("total")} unobserved, {unobserved.GetProperty("fromThisPitfall")} from this pitfall)");
    }

    [Fact]
    public async Task UnderTheSameLoadAClientLearnsHowEveryGoodChargeEndedAndNoBadOne()
    {
        // What k6/pitfalls/fire-and-forget.js does: charge at a fixed rate, then follow each charge to its end.
        var good = await ChargeAtRateAsync("good");
        var bad = await ChargeAtRateAsync("bad");

        Assert.All(good.Outcomes, o => Assert.Contains(o, new[] { "done", "failed" }));
        Assert.Equal(good.FailuresHappened, good.Outcomes.Count(o => o == "failed"));
        Assert.Equal(good.FailuresHappened, good.FailuresVisible);
        Assert.All(bad.Outcomes, o => Assert.Equal("unknown", o));
        Assert.True(bad.FailuresHappened > 0, "bad's charges failed too, where nobody could see it");
        Assert.Equal(0, bad.FailuresVisible);
    }

    [Fact]
    public async Task AFullQueueAnswers503AtOnceAndTheWorkerDrainsWhatItAccepted()
    {
        // A fresh API: this test fills its queue on purpose.
        await using var api = await lab.StartApiAsync();
        const int consumers = 4, capacity = 100;

        // Slow charges occupy every consumer, then quick ones fill the queue behind them.
        var slow = await Task.WhenAll(Enumerable.Range(0, consumers).Select(_ => api.ChargeAsync("good", "failRate=0&delayMs=4000")));
        foreach (var charge in slow)
            await Eventually.HoldsAsync(async () => (await api.Client.GetJsonAsync($"{Root}/jobs/{charge.Id}")).GetProperty("status").GetString() == "running", JobPatience, $"slow job {charge.Id} runs");
        var queued = new List<Guid>();
        for (var status = HttpStatusCode.Accepted; status == HttpStatusCode.Accepted && queued.Count < 2 * capacity;)
        {
            using var response = await api.Client.PostAsync($"{Root}/good?failRate=0&delayMs=0", content: null);
            var body = await response.Content.ReadAsStringAsync();
            status = response.StatusCode;
            if (status == HttpStatusCode.Accepted)
                queued.Add(JsonDocument.Parse(body).RootElement.GetProperty("result").GetProperty("chargeId").GetGuid());
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("queue full", body, StringComparison.OrdinalIgnoreCase);
            }
        }
        // Bounded: the queue took its capacity (plus whatever a consumer freed meanwhile), not more.
        Assert.InRange(queued.Count, capacity, capacity + consumers);

        // Recovery: everything accepted completes, and the next charge is accepted again.
        await Task.WhenAll(slow.Select(c => c.Id).Concat(queued).Select(api.FinishedJobAsync));
        var next = await api.FinishedJobAsync((await api.ChargeAsync("good", "failRate=0&delayMs=0")).Id);
        Assert.Equal("done", next.GetProperty("status").GetString());
        var tally = await api.TallyAsync("good");
        Assert.Equal(1, tally.Figure("rejected"));
        output.WriteLine($"full queue: {consumers} running + {queued.Count} queued accepted, then 503; all finished, the next one accepted ({tally})");
    }

    [Fact]
    public async Task AMalformedJobIdGetsA400AndTheCatalogEntryNamesEveryRoute()
    {
        await lab.Api.Client.AssertValidationProblemAsync($"{Root}/jobs/not-a-guid", "id", "not a valid Guid");

        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/fire-and-forget");
        Assert.Equal(10, entry.GetProperty("number").GetInt32());
        Assert.Equal(["CS4014", "VSTHRD100", "VSTHRD110"], entry.GetProperty("analyzerRules").EnumerateArray().Select(r => r.GetString()).Order());
        var paths = (await lab.Api.Client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        foreach (var route in entry.GetProperty("routes").EnumerateArray())
            Assert.True(paths.TryGetProperty(route.GetProperty("path").GetString()!, out _), $"{route} is in the OpenAPI document");
    }

    private async Task<RateRun> ChargeAtRateAsync(string variant)
    {
        var run = await lab.Api.ChargeAtRateAsync(variant, LoadCharges, LoadRate, i => $"customerId={1000 + i}&failRate=0.5&delayMs=100");
        var seen = string.Join(", ", run.Outcomes.GroupBy(o => o).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
        output.WriteLine($"{variant,-4}: {LoadCharges} charges at {LoadRate}/s: {run.FailuresHappened} failed, {run.FailuresVisible} visible; " +
            $"a client following each one saw {seen}; 202 p50 {run.AcceptP50Ms:F0} ms, max {run.AcceptMaxMs:F0} ms");
        return run;
    }
}

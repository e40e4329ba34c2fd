namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed partial class MissingAwaitTests(LabFixture lab, ITestOutputHelper output)
{
    // The backend's validation takes this long: bad's request is long over when its dropped save reaches the database.
    private const int DelayMs = 200;
    private const int Orders = 24;
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("bad")]
    [InlineData("good")]
    public async Task EachVariantAnswers201WithTheOrderIdAndWhatWasTrueAtThatMoment(string variant)
    {
        var key = NewKey(variant);
        var (status, location, body) = await PlaceAsync(lab.Api.Client, variant, key, userId: 77, amount: 12.34m);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("missing-await", body.GetProperty("pitfall").GetString());
        Assert.Equal(variant, body.GetProperty("variant").GetString());
        var result = body.GetProperty("result");
        var id = result.GetProperty("orderId").GetInt64();
        Assert.NotNull(location);
        Assert.Equal($"/pitfalls/missing-await/orders/{id}", location);
        Assert.Equal(location, result.GetProperty("location").GetString());
        Assert.Equal(key, result.GetProperty("requestKey").GetString());
        var evidence = body.GetProperty("evidence");
        var steps = evidence.GetProperty("saveStepsAtAck").EnumerateArray().Select(s => s.GetString()).ToList();

        if (variant == "good")
        {
            Assert.True(evidence.GetProperty("orderVisibleAtAck").GetBoolean());
            Assert.Equal(1, evidence.GetProperty("auditRowsVisibleAtAck").GetInt64());
            Assert.Equal("persisted", evidence.GetProperty("saveStateAtAck").GetString());
            Assert.Equal(["validated: enterprise customer", "order inserted", "audit row appended", "committed"], steps); // 77 % 3 == 2
            var stored = await lab.Api.Client.GetJsonAsync(location);
            Assert.Equal(12.34m, stored.GetProperty("total").GetDecimal());
            Assert.Equal(1, stored.GetProperty("auditRows").GetInt64());
        }
        else
        {
            Assert.False(evidence.GetProperty("orderVisibleAtAck").GetBoolean());
            Assert.Equal("running", evidence.GetProperty("saveStateAtAck").GetString());
            Assert.Empty(steps);
            var settled = await SettledTotalsAsync(lab.Api.Client, "bad");
            // The failure's text is where the lesson says to look: the next click's evidence.totals.
            var next = (await PlaceAsync(lab.Api.Client, "bad", NewKey(variant))).Body.GetProperty("evidence").GetProperty("totals");
            var lastFailure = next.GetProperty("lastFailure").GetString();
            Assert.True(lastFailure?.Contains("ObjectDisposedException") == true, $"settled {settled}; the next click's totals {next}");
            await SettledTotalsAsync(lab.Api.Client, "bad");
            using var read = await lab.Api.Client.GetAsync(location);
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }
        Assert.Equal(variant == "good" ? 1 : 0, await RowsWithKeysAsync([key]));
    }

    [Fact]
    public async Task OfNAcknowledgedBadOrdersFewerThanNAreReadableRightAfterTheir2xxWhileEveryGoodOneIs()
    {
        // A fresh API: its totals count this test's orders only.
        await using var api = await lab.StartApiAsync();

        var good = await PlaceAndReadBackAsync(api.Client, "good");
        var bad = await PlaceAndReadBackAsync(api.Client, "bad");
        var goodTotals = await SettledTotalsAsync(api.Client, "good");
        var badTotals = await SettledTotalsAsync(api.Client, "bad");
        var goodRows = await RowsWithKeysAsync(good.Keys);
        var badRows = await RowsWithKeysAsync(bad.Keys);

        output.WriteLine($"good: {good}; rows in the database after the saves settled: {goodRows}; totals {goodTotals}");
        output.WriteLine($"bad:  {bad}; rows in the database after the saves settled: {badRows}; totals {badTotals}");

        Assert.Equal(Orders, good.Acknowledged);
        Assert.Equal(Orders, bad.Acknowledged);
        Assert.Equal(Orders, good.Readable);
        Assert.True(bad.Readable < Orders, $"bad: {bad.Readable} of {Orders} acknowledged orders were readable right after their 201");
        Assert.Equal(Orders, goodRows);
        Assert.True(badRows < Orders, $"bad persisted {badRows} of {Orders} acknowledged orders");

        // The lab's totals tell the same story as the database.
        Assert.Equal(Orders, goodTotals.Figure("acknowledged"));
        Assert.Equal(Orders, goodTotals.Figure("visibleAtAck"));
        Assert.Equal(Orders, goodTotals.Figure("persisted"));
        Assert.Equal(0, goodTotals.Figure("lostAfterAck"));
        Assert.Equal(Orders, badTotals.Figure("acknowledged"));
        Assert.Equal(badRows, badTotals.Figure("persisted"));
        Assert.Equal(Orders - badRows, badTotals.Figure("lostAfterAck"));
    }

    [Fact]
    public async Task ABurstOfBadRequestsRacingTheDisposeLeavesNothingHungAndGoodStillWorks()
    {
        await using var api = await lab.StartApiAsync();

        // delayMs=0: the dropped save reaches the connection while the request's scope disposes it, the race that can
        // leave Npgsql's dispose waiting with no timeout, or leak the pooled connection, without the lab's guardrail.
        var burst = await BurstAsync(api.Client, "bad", delayMs: 0, total: 200, concurrency: 20).WaitAsync(NoHang);
        output.WriteLine($"bad burst: {burst}; totals right after: {await TotalsAsync(api.Client, "bad")}");

        var settled = Stopwatch.StartNew();
        var last = "";
        await Eventually.HoldsAsync(async () =>
        {
            var stats = await LabStats.ReadAsync(api.Client);
            var pool = stats.Pool("pitfalllab/missing-await/bad");
            var running = stats.Pitfall(Id).Variant("bad").Figure("running");
            var busy = await BusyBadSessionsAsync();
            last = $"pool {pool}, saves running {running}, busy server sessions [{string.Join("; ", busy)}]";
            return pool.GetProperty("used").GetInt64() == 0 && pool.GetProperty("pendingRequests").GetInt64() == 0 && running == 0 && busy.Count == 0;
        }, TimeSpan.FromSeconds(30), () => $"bad's pool, saves and server sessions should all be idle; last seen: {last}");
        var totals = await TotalsAsync(api.Client, "bad");
        output.WriteLine($"everything idle {settled.ElapsedMilliseconds} ms after the burst: {last}");
        output.WriteLine($"guardrail: {totals.Figure("stuckDisposes")} stuck disposes ended by terminating the session, " +
            $"{totals.Figure("disposeErrors")} failed disposes retried, {totals.Figure("leakedConnections")} connections leaked; " +
            $"{totals.Figure("acknowledged")} acknowledged, {totals.Figure("persisted")} persisted, {totals.Figure("lostAfterAck")} lost after the 201");
        Assert.Equal(0, totals.Figure("leakedConnections"));

        var good = await PlaceAndReadBackAsync(api.Client, "good", total: 12);
        output.WriteLine($"good afterwards: {good}");
        Assert.Equal(12, good.Acknowledged);
        Assert.Equal(12, good.Readable);
    }

    [Fact]
    public async Task AReplayedRequestKeyIsA409ForGoodWhileBadAnswers201AndItsSaveFailsUnseen()
    {
        var key = NewKey("replay");
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(lab.Api.Client, "good", key)).Status);

        var good = await PlaceAsync(lab.Api.Client, "good", key);
        var bad = await PlaceAsync(lab.Api.Client, "bad", key);

        Assert.Equal(HttpStatusCode.Conflict, good.Status);
        Assert.Equal(HttpStatusCode.Created, bad.Status);
        await SettledTotalsAsync(lab.Api.Client, "bad");
        Assert.Equal(1, await RowsWithKeysAsync([key]));
    }
}

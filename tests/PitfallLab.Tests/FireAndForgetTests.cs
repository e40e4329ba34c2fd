using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using PitfallLab.Tests.Fixtures;
using Xunit.Abstractions;

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class FireAndForgetTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/fire-and-forget";
    // Customers 1..12 at failRate 0.5: the backend's fixed seed declines the same mix every run.
    private const int Charges = 12;
    private const string Mixed = "failRate=0.5&delayMs=20";

    [Fact]
    public async Task GoodMakesEveryFailedChargeVisibleThroughItsJobStatusAndTheLog()
    {
        var api = lab.Api;
        var before = await TallyAsync(api, "good");

        var charges = await PostChargesAsync(api, "good");
        foreach (var charge in charges)
            Assert.Equal($"{Root}/jobs/{charge.Id}", charge.Location);
        var jobs = await Task.WhenAll(charges.Select(c => FinishedJobAsync(api, c.Id)));

        var failed = jobs.Where(j => j.GetProperty("status").GetString() == "failed").ToList();
        var done = jobs.Where(j => j.GetProperty("status").GetString() == "done").ToList();
        Assert.Equal(Charges, failed.Count + done.Count);
        Assert.InRange(failed.Count, 1, Charges - 1);
        Assert.All(failed, j => Assert.Contains("backend answered 500", j.GetProperty("error").GetString()));
        Assert.All(done, j => Assert.True(j.GetProperty("payload").GetProperty("orderId").GetInt64() > 0));
        Assert.Equal(done.Count, (await PaidAsync(charges.Select(c => c.Id))).Count);

        // Every failure happened where someone can see it: the tally, the job record, and the log with the job id.
        var after = await TallyAsync(api, "good");
        Assert.Equal(failed.Count, Delta(before, after, "failuresHappened"));
        Assert.Equal(failed.Count, Delta(before, after, "failuresVisible"));
        foreach (var job in failed)
            await EventuallyAsync(() => Task.FromResult(api.RecentOutput.Contains($"Charge job {job.GetProperty("id").GetString()} failed", StringComparison.Ordinal)),
                $"the log names failed job {job.GetProperty("id")}");
        output.WriteLine($"good: {Charges} charges, {failed.Count} failed, {Delta(before, after, "failuresVisible")} visible (job status failed + log line), {done.Count} done");
    }

    [Fact]
    public async Task BadLosesEveryFailedChargeExceptToTheUnobservedCounterAfterAForcedCollection()
    {
        var api = lab.Api;
        var before = await TallyAsync(api, "bad");

        var charges = await PostChargesAsync(api, "bad");
        Assert.All(charges, c => Assert.Null(c.Location));
        // The lab counts inside the charge itself; no one else can know when it is over.
        await EventuallyAsync(async () =>
        {
            var now = await TallyAsync(api, "bad");
            return Delta(before, now, "failuresHappened") + Delta(before, now, "succeeded") == Charges;
        }, "every bad charge ran to its end");
        var after = await TallyAsync(api, "bad");
        var failures = Delta(before, after, "failuresHappened");
        Assert.InRange(failures, 1, Charges - 1);
        Assert.Equal(0, Delta(before, after, "failuresVisible"));

        // The work really ran: the successful charges wrote their orders. The failed ones left nothing anywhere.
        var ids = charges.Select(c => c.Id).ToList();
        var paid = await PaidAsync(ids);
        Assert.Equal(Charges - failures, paid.Count);
        var lost = ids.Where(id => !paid.Contains(id)).ToHashSet();
        await using (var db = new NpgsqlConnection(lab.Db.ConnectionString))
            Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs WHERE id = ANY(@ids)", new { ids = ids.ToArray() }));
        foreach (var id in ids)
        {
            using var status = await api.Client.GetAsync($"{Root}/jobs/{id}");
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }
        await Task.Delay(500); // give a log line, were there one, time to reach the test's stdout reader
        Assert.All(ids, id => Assert.DoesNotContain(id.ToString(), api.RecentOutput, StringComparison.Ordinal));

        // Only a GC that finalizes the dropped Tasks makes the runtime report them: without the request, without a caller.
        var revealed = new HashSet<Guid>();
        JsonElement collect = default;
        var collections = 0;
        await EventuallyAsync(async () =>
        {
            collections++;
            collect = await api.Client.PostJsonAsync($"{Root}/collect");
            foreach (var message in collect.GetProperty("result").GetProperty("after").GetProperty("recent").EnumerateArray())
                revealed.UnionWith(lost.Where(id => message.GetString()!.Contains(id.ToString(), StringComparison.Ordinal)));
            return revealed.Count == lost.Count;
        }, "a forced collection reports every lost charge through UnobservedTaskException");
        Assert.Subset(lost, revealed);
        var unobserved = collect.GetProperty("result").GetProperty("after");
        output.WriteLine($"bad: {Charges} charges, {failures} failed, 0 visible (no job, no log); after a forced GC UnobservedTaskException reported {revealed.Count} of them " +
            $"({collections} forced collection(s); process-wide so far: {unobserved.GetProperty("total")} unobserved, {unobserved.GetProperty("fromThisPitfall")} from this pitfall)");
    }

    [Fact]
    public async Task AFullQueueAnswers503AtOnceAndTheWorkerDrainsWhatItAccepted()
    {
        // A fresh API: this test fills its queue on purpose.
        await using var api = await lab.StartApiAsync();
        const int consumers = 4, capacity = 100;

        // Slow charges occupy every consumer, then quick ones fill the queue behind them.
        var slow = new List<Guid>();
        for (var i = 0; i < consumers; i++)
            slow.Add(await AcceptedIdAsync(api, $"{Root}/good?failRate=0&delayMs=4000"));
        foreach (var id in slow)
            await EventuallyAsync(async () => (await api.Client.GetJsonAsync($"{Root}/jobs/{id}")).GetProperty("status").GetString() == "running", $"slow job {id} runs");

        var queued = new List<Guid>();
        HttpResponseMessage? refused = null;
        while (refused is null && queued.Count < 2 * capacity)
        {
            var response = await api.Client.PostAsync($"{Root}/good?failRate=0&delayMs=0", content: null);
            if (response.StatusCode == HttpStatusCode.Accepted)
                queued.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("result").GetProperty("chargeId").GetGuid());
            else
                refused = response;
        }
        Assert.NotNull(refused);
        using (refused)
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("queue full", body, StringComparison.OrdinalIgnoreCase);
        }
        // Bounded: the queue took its capacity (plus whatever a consumer freed meanwhile), not more.
        Assert.InRange(queued.Count, capacity, capacity + consumers);

        // Recovery: everything accepted completes, and the next charge is accepted again.
        await Task.WhenAll(slow.Concat(queued).Select(id => FinishedJobAsync(api, id)));
        var next = await FinishedJobAsync(api, await AcceptedIdAsync(api, $"{Root}/good?failRate=0&delayMs=0"));
        Assert.Equal("done", next.GetProperty("status").GetString());
        var good = await TallyAsync(api, "good");
        Assert.Equal(1, good.GetProperty("rejected").GetInt64());
        output.WriteLine($"full queue: {consumers} running + {queued.Count} queued accepted, then 503; all {slow.Count + queued.Count} finished, next accepted ({good})");
    }

    [Theory]
    [InlineData("bad?customerId=0", "customerId", "between 1 and 5000")]
    [InlineData("good?amountCents=0", "amountCents", "between 1 and 1000000")]
    [InlineData("good?failRate=1.5", "failRate", "between 0 and 1")]
    [InlineData("bad?delayMs=5001", "delayMs", "between 0 and 5000")]
    [InlineData("good?customerId=abc", "customerId", "not a valid int")]
    [InlineData("bad?failRate=lots", "failRate", "not a valid double")]
    public async Task BadKnobsGetA400NamingTheParameterAndStartNoCharge(string route, string parameter, string message)
    {
        var before = await lab.Api.Client.GetJsonAsync("/lab/stats");
        using var response = await lab.Api.Client.PostAsync($"{Root}/{route}", content: null);
        await AssertProblemNamesAsync(response, parameter, message);
        var after = await lab.Api.Client.GetJsonAsync("/lab/stats");
        foreach (var variant in new[] { "bad", "good" })
            Assert.Equal(0, Delta(Pitfall(before).GetProperty(variant), Pitfall(after).GetProperty(variant), "accepted"));
    }

    [Fact]
    public async Task AMalformedJobIdGetsA400AndTheCatalogEntryNamesEveryRoute()
    {
        using var response = await lab.Api.Client.GetAsync($"{Root}/jobs/not-a-guid");
        await AssertProblemNamesAsync(response, "id", "not a valid Guid");

        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/fire-and-forget");
        Assert.Equal(10, entry.GetProperty("number").GetInt32());
        Assert.Equal(["CS4014", "VSTHRD100", "VSTHRD110"], entry.GetProperty("analyzerRules").EnumerateArray().Select(r => r.GetString()).Order());
        var paths = (await lab.Api.Client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        foreach (var route in entry.GetProperty("routes").EnumerateArray())
            Assert.True(paths.TryGetProperty(route.GetProperty("path").GetString()!, out _), $"{route} is in the OpenAPI document");
    }

    private static async Task<Guid> AcceptedIdAsync(ServiceProcess api, string path)
    {
        using var response = await api.Client.PostAsync(path, content: null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("result").GetProperty("chargeId").GetGuid();
    }

    private static async Task AssertProblemNamesAsync(HttpResponseMessage response, string parameter, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(parameter, out var messages), $"errors should name {parameter}: {body}");
        Assert.Contains(message, messages[0].GetString());
    }

    private sealed record Posted(Guid Id, string? Location);

    private async Task<IReadOnlyList<Posted>> PostChargesAsync(ServiceProcess api, string variant)
    {
        async Task<Posted> PostAsync(int customerId)
        {
            using var response = await api.Client.PostAsync($"{Root}/{variant}?customerId={customerId}&{Mixed}", content: null);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{variant} answered {(int)response.StatusCode}: {body}");
            var observation = JsonDocument.Parse(body).RootElement;
            Assert.Equal(variant, observation.GetProperty("variant").GetString());
            var result = observation.GetProperty("result");
            Assert.Equal(response.Headers.Location?.ToString(), result.GetProperty("statusUrl").GetString());
            return new Posted(result.GetProperty("chargeId").GetGuid(), response.Headers.Location?.ToString());
        }

        return await Task.WhenAll(Enumerable.Range(1, Charges).Select(PostAsync));
    }

    private static async Task<JsonElement> FinishedJobAsync(ServiceProcess api, Guid id)
    {
        JsonElement job = default;
        await EventuallyAsync(async () =>
        {
            job = await api.Client.GetJsonAsync($"{Root}/jobs/{id}");
            return job.GetProperty("status").GetString() is "done" or "failed";
        }, $"job {id} finishes");
        return job;
    }

    /// <summary>The charges that wrote their paid order (the job's effect when the backend accepts it).</summary>
    private async Task<HashSet<Guid>> PaidAsync(IEnumerable<Guid> chargeIds)
    {
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var keys = chargeIds.Select(id => $"fire-and-forget/{id}").ToArray();
        var paid = await db.QueryAsync<string>("SELECT request_key FROM orders WHERE request_key = ANY(@keys) AND status = 'paid'", new { keys });
        return paid.Select(key => Guid.Parse(key["fire-and-forget/".Length..])).ToHashSet();
    }

    private static async Task<JsonElement> TallyAsync(ServiceProcess api, string variant) =>
        Pitfall(await api.Client.GetJsonAsync("/lab/stats")).GetProperty(variant);

    private static JsonElement Pitfall(JsonElement labStats) => labStats.GetProperty("pitfalls").GetProperty("fire-and-forget");

    private static long Delta(JsonElement before, JsonElement after, string figure) =>
        after.GetProperty(figure).GetInt64() - before.GetProperty(figure).GetInt64();

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }
}

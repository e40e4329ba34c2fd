namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed partial class CancellationLeakTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/cancellation-leak";
    private const int PoolSize = 5, Clients = 5, AbortAfterMs = 300;
    private static readonly TimeSpan GuardBound = TimeSpan.FromSeconds(20);

    private static string AppName(string variant) => $"pitfalllab/cancellation-leak/{variant}";

    [Fact]
    public async Task AbandonedBadCallsKeepTheirQueriesRunningLeakTheirConnectionsAndEmptyThePoolUntilTheGuardClosesThem()
    {
        await WaitRecoveredAsync("bad");
        var abandoned = await Abandon.CallsAsync(lab.Api.BaseAddress, $"{Root}/bad?queryMs=3000&delayMs=2000", Clients, AbortAfterMs);
        Assert.Equal(Clients, abandoned);

        // The clients are gone; their queries are not. Bounded wait, as a busy machine may open the sessions and send
        // the 3 s queries only after the clients left (a run beside stress-ng saw 5 sessions, 0 active yet).
        var clientsLeft = Stopwatch.StartNew();
        (long Sessions, long Active) running = default;
        await Eventually.HoldsAsync(async () => (running = await Abandon.SessionsAsync(lab.Db.ConnectionString, AppName("bad"))).Active > 0,
            TimeSpan.FromSeconds(10), () => $"bad's queries should still run for clients that left: {running}");
        output.WriteLine($"bad, {clientsLeft.ElapsedMilliseconds} ms after {abandoned} clients left: {running.Active} active queries of {running.Sessions} sessions");

        // Then each handler returns without closing its connection.
        JsonElement leaks = default;
        await Eventually.HoldsAsync(async () => (leaks = await LeaksAsync(lab.Api.Client, "bad")).Figure("leakedNow") == Clients,
            TimeSpan.FromSeconds(15), () => $"each of bad's {Clients} connections should leak once its handler returns: {leaks}");
        var clock = Stopwatch.StartNew();
        var idle = await Abandon.SessionsAsync(lab.Db.ConnectionString, AppName("bad"));
        output.WriteLine($"bad, handlers returned: leaks {leaks}; PostgreSQL: {idle.Sessions} sessions, {idle.Active} active");
        Assert.True(idle.Sessions >= leaks.Figure("leakedNow"), $"the leaked sessions stay open in PostgreSQL: {idle}");

        // A later call finds the pool empty: a 503 naming the pool, not a bare 500.
        using (var later = await lab.Api.Client.GetAsync($"{Root}/bad?queryMs=0&delayMs=0"))
        {
            var body = await later.Content.ReadAsStringAsync();
            output.WriteLine($"bad, a later call: {(int)later.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
            Assert.Equal("application/problem+json", later.Content.Headers.ContentType?.MediaType);
            Assert.Contains(AppName("bad"), body);
            Assert.Contains("The connection pool has been exhausted", body);
        }

        // The guard closes the leaked connections: the pool serves again within a bounded time, without a reset.
        await Eventually.HoldsAsync(async () =>
        {
            using var call = await lab.Api.Client.GetAsync($"{Root}/bad?queryMs=0&delayMs=0");
            return call.IsSuccessStatusCode;
        }, GuardBound, "the guard should give bad's leaked connections back to its pool");
        var recovered = clock.Elapsed;
        var after = await LeaksAsync(lab.Api.Client, "bad");
        output.WriteLine($"bad recovered {recovered.TotalSeconds:F1} s after the leaks were seen; guard: {after}");
        Assert.True(after.Figure("reclaimed") > 0, $"the guard should have closed the leaks: {after}");
        Assert.Equal(0, after.Figure("leakedNow"));
    }

    [Fact]
    public async Task AbandonedGoodCallsCancelTheirQueriesInPostgresAndLeakNothing()
    {
        await WaitRecoveredAsync("good");
        var backendBefore = (await lab.Backend.Client.GetJsonAsync("/stats")).GetProperty("aborted").GetInt64();
        var abandoned = await Abandon.CallsAsync(lab.Api.BaseAddress, $"{Root}/good?queryMs=3000&delayMs=2000", Clients, AbortAfterMs);
        Assert.Equal(Clients, abandoned);

        // Well before the 3 s query could have ended by itself: cancelled server-side, every connection back in the pool.
        var clock = Stopwatch.StartNew();
        (long Sessions, long Active) sessions = default;
        JsonElement leaks = default;
        await Eventually.HoldsAsync(async () =>
        {
            sessions = await Abandon.SessionsAsync(lab.Db.ConnectionString, AppName("good"));
            leaks = await LeaksAsync(lab.Api.Client, "good");
            return sessions.Active == 0 && leaks.Figure("openNow") == 0;
        }, TimeSpan.FromSeconds(2.5), () => $"good should leave no query and no connection behind: {sessions}, {leaks}");
        output.WriteLine($"good: 0 active queries and 0 open connections {clock.ElapsedMilliseconds} ms after the clients left ({sessions.Sessions} idle sessions in the pool)");

        // The token reached the backend call too: the backend saw its callers leave.
        var backendAborted = (await lab.Backend.Client.GetJsonAsync("/stats")).GetProperty("aborted").GetInt64() - backendBefore;
        Assert.True(backendAborted >= 1, $"the backend should count good's cancelled calls as aborted: {backendAborted}");
        Assert.Equal(0, leaks.Figure("leakedNow"));
        Assert.Equal(0, leaks.Figure("reclaimed"));

        // The real report, every time: other tests add orders, so it is held to the table's count around the call.
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        for (var i = 0; i < PoolSize + 1; i++)
        {
            var before = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM orders");
            var later = await lab.Api.Client.GetJsonAsync($"{Root}/good?queryMs=0&delayMs=0");
            var orders = later.GetProperty("result").GetProperty("totals").GetProperty("orders").GetInt64();
            var after = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM orders");
            Assert.InRange(orders, before, after);
        }
    }

    /// <summary>One variant's leak-guard figures from /lab/stats (pitfalls.cancellation-leak.{variant}).</summary>
    private static Task<JsonElement> LeaksAsync(HttpClient api, string variant) => LabStats.VariantAsync(api, "cancellation-leak", variant);

    /// <summary>A test starts from a recovered variant: no connection of an earlier test still held.</summary>
    private async Task WaitRecoveredAsync(string variant) =>
        await Eventually.HoldsAsync(async () => (await LeaksAsync(lab.Api.Client, variant)).Figure("openNow") == 0,
            GuardBound, $"{variant} should hold no connection before the test");
}

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed partial class SharedConnectionTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Root = "/pitfalls/shared-connection";
    private const string BadPool = "pitfalllab/shared-connection/bad";
    private const int Lookups = 10, PoolSize = 20;

    [Fact]
    public async Task UnderTheSameBurstBadFailsMostLookupsOnTheSharedConnectionWhileGoodAndBatchedFailNone()
    {
        var bad = await BurstAsync("bad");
        var good = await BurstAsync("good");
        var batched = await BurstAsync("batched");
        foreach (var burst in new[] { good, bad, batched })
            output.WriteLine($"closed loop, {BurstConcurrency} at a time: {burst}");

        // Bad: every request answers (each lookup tallies its own failure) and only its first lookup gets the connection.
        Assert.All(bad.Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.True(bad.ItemErrorRate >= 0.5, $"most of bad's lookups should fail: {bad}");
        var (type, count) = Assert.Single(bad.ErrorsByType);
        Assert.Equal("NpgsqlOperationInProgressException", type);
        Assert.Equal(bad.ItemsFailed, count);
        Assert.Contains("A command is already in progress", bad.FirstMessages[type]);
        Assert.All(bad.Evidence, e => Assert.Equal(1, e.GetProperty("connectionsUsed").GetInt32()));
        Assert.All(bad.Evidence, e => Assert.Equal(e.GetProperty("itemsOk").GetInt32(), e.GetProperty("roundTrips").GetInt32()));

        // /lab/stats adds up what the answers said, request by request.
        foreach (var burst in new[] { good, bad, batched })
            Assert.Equal(new LookupTotals(burst.Requests, burst.ItemsOk + burst.ItemsFailed, burst.ItemsFailed, burst.CommandsRefused, burst.RoundTrips), burst.Totals);

        foreach (var fine in new[] { good, batched })
        {
            Assert.All(fine.Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.Equal(0, fine.ItemsFailed);
            Assert.Empty(fine.ErrorsByType);
            Assert.Equal(fine.Requests * Lookups, fine.ItemsOk);
        }
        Assert.All(good.Evidence, e => Assert.Equal(Lookups, e.GetProperty("roundTrips").GetInt32()));
        Assert.All(good.Evidence, e => Assert.InRange(e.GetProperty("connectionsUsed").GetInt32(), 1, Lookups));
        Assert.All(batched.Evidence, e => Assert.Equal((1, 1), (e.GetProperty("roundTrips").GetInt32(), e.GetProperty("connectionsUsed").GetInt32())));
    }

    [Fact]
    public async Task OneRequestOfEachVariantShowsTheLessonInItsEvidence()
    {
        // Which lookups collide is a race: on a busy machine one request's tasks can happen to run one after another.
        // Up to 10 requests until one shows a collision (the burst test measures the rate).
        JsonElement bad = default;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            bad = await lab.Api.Client.GetJsonAsync($"{Root}/bad?lookups={Lookups}&firstUserId=501");
            if (bad.GetProperty("evidence").GetProperty("itemsFailed").GetInt32() > 0) break;
        }
        var good = await lab.Api.Client.GetJsonAsync($"{Root}/good?lookups={Lookups}&firstUserId=501");
        var batched = await lab.Api.Client.GetJsonAsync($"{Root}/batched?lookups={Lookups}&firstUserId=501");
        foreach (var one in new[] { bad, good, batched })
            output.WriteLine($"{one.GetProperty("variant").GetString(),-8} {one.GetProperty("elapsedMs").GetDouble()} ms {one.GetProperty("evidence")}");

        // Bad: the lookups started while another command ran were refused on the client and never reached the server.
        var e = bad.GetProperty("evidence");
        Assert.True(e.GetProperty("itemsFailed").GetInt32() >= 1, $"bad should refuse lookups: {e}");
        Assert.Equal(e.GetProperty("itemsFailed").GetInt32(), e.GetProperty("commandsRefused").GetInt32());
        Assert.Equal(Lookups, e.GetProperty("commandsIssued").GetInt32());
        Assert.Equal(e.GetProperty("itemsOk").GetInt32(), e.GetProperty("roundTrips").GetInt32());
        Assert.Equal(1, e.GetProperty("connectionsUsed").GetInt32());

        Assert.Equal((Lookups, 0, Lookups), Figures(good, "itemsOk", "itemsFailed", "roundTrips"));
        Assert.Equal((Lookups, 0, 1), Figures(batched, "itemsOk", "itemsFailed", "roundTrips"));
        Assert.Equal(1, batched.GetProperty("evidence").GetProperty("connectionsUsed").GetInt32());

        static (int, int, int) Figures(JsonElement o, string a, string b, string c)
        {
            var x = o.GetProperty("evidence");
            return (x.GetProperty(a).GetInt32(), x.GetProperty(b).GetInt32(), x.GetProperty(c).GetInt32());
        }
    }

    [Fact]
    public async Task AfterABadBurstItsConnectionsAreIdleInThePoolAndTheNextRequestGetsOne()
    {
        await BurstAsync("bad");

        // Nothing stuck or leaked: pg_stat_activity shows bad's backends idle (none mid-query), never more than its pool.
        var sessions = await SessionsAsync(lab.Db.ConnectionString, BadPool);
        output.WriteLine("bad's sessions after the burst: " + string.Join(", ", sessions.Select(s => $"{s.State} x{s.Count}")));
        Assert.NotEmpty(sessions);
        Assert.All(sessions, s => Assert.Equal("idle", s.State));
        Assert.InRange(sessions.Sum(s => s.Count), 1, PoolSize);

        // A single lookup on bad (nothing to share with) succeeds on a connection the burst gave back; the pool lends none out.
        var one = await lab.Api.Client.GetJsonAsync($"{Root}/bad?lookups=1&firstUserId=77");
        Assert.Equal(1, one.GetProperty("result").GetProperty("succeeded").GetInt32());
        var pool = Assert.Single(one.GetProperty("runtime").GetProperty("dbPools").EnumerateArray(),
            p => p.GetProperty("pool").GetString() == BadPool);
        Assert.Equal(PoolSize, pool.GetProperty("max").GetInt64());
        await Eventually.HoldsAsync(async () => (await PoolAsync(lab.Api, BadPool)).GetProperty("used").GetInt64() == 0,
            TimeSpan.FromSeconds(5), "bad's pool has no connection in use");
    }

    [Theory]
    [InlineData("good")]
    [InlineData("batched")]
    public async Task GoodAndBatchedReturnExactlyTheRowsInTheDatabase(string variant)
    {
        const int first = 1201, count = 25;
        var body = await lab.Api.Client.GetJsonAsync($"{Root}/{variant}?lookups={count}&firstUserId={first}");

        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var expected = (await db.QueryAsync<(int Id, string Name, string Tier, long Orders, decimal Total)>("""
            SELECT u.id, u.name, u.tier, count(o.id), coalesce(sum(o.total), 0)
            FROM users u LEFT JOIN orders o ON o.user_id = u.id
            WHERE u.id BETWEEN @first AND @last
            GROUP BY u.id ORDER BY u.id
            """, new { first, last = first + count - 1 })).ToList();
        var users = body.GetProperty("result").GetProperty("users").EnumerateArray()
            .Select(u => (u.GetProperty("userId").GetInt32(), u.GetProperty("name").GetString()!, u.GetProperty("tier").GetString()!,
                (long)u.GetProperty("orders").GetInt32(), u.GetProperty("total").GetDecimal()))
            .ToList();

        Assert.Equal(count, expected.Count);
        Assert.Equal(expected, users);
    }
}

namespace PitfallLab.Tests;

/// <summary>
/// When PostgreSQL or the backend is down, every endpoint says so (a 503 problem naming the dependency, never a bare
/// 500), and once it is back every good endpoint works on its first call: no connection that died with the server
/// reaches a request. Runs on a lab of its own (<see cref="OutageLab"/>) that it stops and starts.
/// </summary>
[Collection(OutageCollection.Name)]
public sealed partial class OutageTests(OutageLab lab, ITestOutputHelper output)
{
    private const string Batch = "/pitfalls/unbounded-concurrency/good?items=20&queryMs=0&delayMs=0";
    private const string FanOut = "/pitfalls/whenall-failures/good?count=4&failIds=99&delayMs=0";

    // Every good endpoint that needs PostgreSQL (and the lab's own), with a valid request; each answers 2xx when all is
    // well. /lab/reset comes last: it disposes the sandbox pools, which would hide their dead connections.
    private static readonly Call[] NeedPostgres =
    [
        Get("/lab/stats"),
        Get("/pitfalls/blocking-io/good?delayMs=0"),
        Get("/pitfalls/sync-over-async/good?delayMs=0"),
        Post("/pitfalls/missing-await/good?delayMs=0"),
        Get("/pitfalls/missing-await/orders/1"),
        Post("/pitfalls/busy-polling/good?jobMs=50"),
        Post("/pitfalls/fire-and-forget/good?failRate=0&delayMs=0"),
        Post("/lab/reset"),
    ];

    // Every good endpoint that waits for the backend's answer before its own.
    private static readonly Call[] NeedBackend =
    [
        Get("/pitfalls/blocking-io/good?delayMs=0"),
        Get("/pitfalls/sync-over-async/good?delayMs=0"),
        Post("/pitfalls/missing-await/good?delayMs=0"),
    ];

    [Fact]
    public async Task WhilePostgresIsDownEveryEndpointAnswersA503NamingItAndEachGoodOneWorksOnItsFirstCallOnceItIsBack()
    {
        await EveryGoodEndpointSucceedsAsync(); // and now every pool holds idle connections that the stop will kill
        await lab.Db.StopServerAsync();
        try
        {
            foreach (var call in NeedPostgres)
                AssertOutage(await SendAsync(call), "PostgreSQL", lab.PostgresAddress);

            // A batch tallies its failed items by design: every item failed, and the tally says on what.
            var batch = await SendAsync(Get(Batch));
            Assert.Equal(20, batch.Json.GetProperty("result").GetProperty("failed").GetInt32());
            Assert.Contains(lab.PostgresAddress, batch.Body);

            var health = await SendAsync(Get("/health"));
            Assert.Equal(503, health.Status);
            Assert.Equal("Unhealthy", health.Json.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("Healthy", health.Json.GetProperty("checks").GetProperty("backend").GetProperty("status").GetString());

            await SweepEveryRouteAsync("PostgreSQL", lab.PostgresAddress);
        }
        finally
        {
            await lab.Db.StartServerAsync(); // pg_ctl -w: returns once the server accepts connections
        }

        await EveryGoodEndpointSucceedsAsync();
    }

    [Fact]
    public async Task AfterAPostgresRestartThatNoRequestSawEveryGoodEndpointWorksOnItsFirstCall()
    {
        await EveryGoodEndpointSucceedsAsync();

        await lab.Db.StopServerAsync();
        await lab.Db.StartServerAsync();

        // Each pool still held the connections that died with the server: none may reach a request.
        await EveryGoodEndpointSucceedsAsync();
    }

    [Fact]
    public async Task WhileTheBackendIsDownEveryEndpointThatWaitsForItAnswersA503NamingItAndWorksOnceItIsBackOnItsPort()
    {
        var address = $"http://127.0.0.1:{lab.BackendPort}";
        await EveryGoodEndpointSucceedsAsync();
        await lab.KillBackendAsync();
        try
        {
            foreach (var call in NeedBackend)
                AssertOutage(await SendAsync(call), "the backend", address);

            // whenall-failures' good variant reports every failed item by design, each naming what refused it.
            var fanOut = await SendAsync(Get(FanOut));
            Assert.Equal(4, fanOut.Json.GetProperty("result").GetProperty("errors").GetArrayLength());
            Assert.Contains($"127.0.0.1:{lab.BackendPort}", fanOut.Body);
            var batch = await SendAsync(Get(Batch));
            Assert.Equal(20, batch.Json.GetProperty("result").GetProperty("failed").GetInt32());

            var health = await SendAsync(Get("/health"));
            Assert.Equal(503, health.Status);
            Assert.Equal("Unhealthy", health.Json.GetProperty("checks").GetProperty("backend").GetProperty("status").GetString());

            await SweepEveryRouteAsync("the backend", address);
        }
        finally
        {
            await lab.StartBackendAsync(); // waits for the backend's /health
        }

        await EveryGoodEndpointSucceedsAsync();
    }

    [Fact]
    public async Task WhenTheBackendAnswersButBreaksEveryEndpointThatWaitsForItAnswersA502NamingIt()
    {
        await using var broken = BrokenBackend.Start();
        await using var api = await lab.StartApiAsync(broken.BaseUrl);

        foreach (var call in NeedBackend)
        {
            var error = await SendAsync(api.Client, call with { Path = call.Path + "&userId=1" });
            var malformed = await SendAsync(api.Client, call with { Path = call.Path + "&userId=2" });
            // missing-await's user comes from its body (42), so both of its calls get the cut-short 200.
            var errorSays = call.Method == "GET" ? "500" : "not a BackendUser";
            foreach (var (answer, what) in new[] { (error, errorSays), (malformed, "not a BackendUser") })
            {
                Assert.True(answer.Status == 502 && answer.MediaType == "application/problem+json", $"expected a 502 problem: {answer}");
                Assert.Equal("the backend", answer.Json.GetProperty("dependency").GetString());
                Assert.Contains(broken.BaseUrl, answer.Json.GetProperty("detail").GetString());
                Assert.Contains(what, answer.Json.GetProperty("error").GetString());
            }
        }
    }

    /// <summary>Calls every good endpoint once and fails naming each one that did not succeed on that first call.</summary>
    private async Task EveryGoodEndpointSucceedsAsync()
    {
        List<string> failed = [];
        void Expect(bool ok, Answer answer) { if (!ok) failed.Add(answer.ToString()); }

        foreach (var call in NeedPostgres.Concat(NeedBackend).Distinct())
        {
            var answer = await SendAsync(call);
            Expect(answer.Status is >= 200 and < 300, answer);
        }
        var batch = await SendAsync(Get(Batch));
        Expect(batch.Status == 200 && batch.Json.GetProperty("result").GetProperty("succeeded").GetInt32() == 20, batch);
        var fanOut = await SendAsync(Get(FanOut));
        Expect(fanOut.Status == 200 && fanOut.Json.GetProperty("result").GetProperty("items").GetArrayLength() == 4, fanOut);
        var health = await SendAsync(Get("/health"));
        Expect(health.Status == 200, health);
        Assert.True(failed.Count == 0, $"{failed.Count} good endpoints failed their first call:\n{string.Join('\n', failed)}");

        // Once more after the reset, so that every sandbox pool holds idle connections for the next stop to kill.
        foreach (var call in NeedPostgres.Where(c => c.Path.StartsWith("/pitfalls/", StringComparison.Ordinal)))
            AssertSucceeded(await SendAsync(call));
    }
}

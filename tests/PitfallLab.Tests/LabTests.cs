namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class LabTests(LabFixture lab, ITestOutputHelper output)
{
    [Fact]
    public async Task StatsShowEachSandboxPoolByApplicationNameInPgStatActivity()
    {
        await lab.Api.Client.GetJsonAsync("/pitfalls/blocking-io/good?delayMs=0");

        var stats = await LabStats.ReadAsync(lab.Api.Client);

        Assert.Contains(stats.GetProperty("pgActivity").EnumerateArray(),
            a => a.GetProperty("applicationName").GetString() == "pitfalllab/blocking-io/good");
        Assert.Contains(stats.GetProperty("dbPools").EnumerateArray(),
            p => p.GetProperty("pool").GetString() == "pitfalllab/blocking-io/good" && p.GetProperty("max").GetInt64() == 30);
        Assert.True(stats.GetProperty("threadPool").GetProperty("threads").GetInt32() > 0);
        Assert.True(stats.GetProperty("backend").GetProperty("total").GetInt64() > 0);
    }

    [Fact]
    public async Task ResetClosesTheSandboxPoolsAndZeroesTheBackendCounters()
    {
        // The shared API, since tests run one at a time. The server may be shared with other clients
        // (PITFALLLAB_TEST_DB), so count only the connections this API held.
        var api = lab.Api;
        await api.Client.GetJsonAsync("/pitfalls/blocking-io/bad?delayMs=0");
        await api.Client.GetJsonAsync("/pitfalls/blocking-io/good?delayMs=0");
        var before = await LabStats.ReadAsync(api.Client);
        var ours = before.GetProperty("dbPools").EnumerateArray()
            .Where(p => IsSandbox(p.GetProperty("pool")))
            .Sum(p => p.GetProperty("idle").GetInt64() + p.GetProperty("used").GetInt64());
        Assert.True(ours >= 2, $"this API should hold sandbox connections: {before}");

        // The reset zeroes the shared backend's counters: only once no call (ours or an earlier test's) is running there.
        await lab.Backend.AfterAsync(calls: 0);
        var reset = await api.Client.PostJsonAsync("/lab/reset");

        Assert.Equal(0, reset.GetProperty("backend").GetProperty("total").GetInt64());
        Assert.DoesNotContain(reset.GetProperty("dbPools").EnumerateArray(), p => IsSandbox(p.GetProperty("pool")));
        // The server sees them go (closing is asynchronous on its side).
        await Eventually.HoldsAsync(async () =>
            SandboxConnections(await LabStats.ReadAsync(api.Client)) <= SandboxConnections(before) - ours,
            TimeSpan.FromSeconds(5), "the reset pools' connections leave pg_stat_activity");
    }

    [Fact]
    public async Task EveryObservationIsAnsweredWhileManyRequestsWaitForTheirPool()
    {
        // Each observation reads the pools' figures while other requests' waits for a connection change them. Before
        // the pool meter kept those changes apart, 42 of 9000 such requests answered 500 (hey -c 60), and 3 of 1500 here.
        await using var api = await lab.StartApiAsync();
        const string pool = "pitfalllab/shared-connection/good";
        var load = Load.RunAsync(api.Client, "/pitfalls/shared-connection/good?lookups=20", concurrency: 60, total: 2000);
        long mostPending = 0;
        while (!load.IsCompleted)
        {
            mostPending = Math.Max(mostPending, (await LabStats.ReadAsync(api.Client)).Pool(pool).Figure("pendingRequests"));
            await Task.Delay(50);
        }
        var result = await load;
        output.WriteLine($"60 requests at a time, 20 connections each from a pool of 20: {result}; most requests waiting seen: {mostPending}");
        if (result.Failures > 0) api.ShowOutput(output);

        Assert.Equal(0, result.Failures);
        Assert.True(mostPending > 0, "the load should make requests wait for the pool");
        // A level, not a sum of changes since the last read: nobody waits once the load is over.
        Assert.Equal(0, (await LabStats.ReadAsync(api.Client)).Pool(pool).GetProperty("pendingRequests").GetInt64());
    }

    private static long SandboxConnections(JsonElement stats) =>
        stats.GetProperty("pgActivity").EnumerateArray()
            .Where(a => IsSandbox(a.GetProperty("applicationName")))
            .Sum(a => a.GetProperty("connections").GetInt64());

    private static bool IsSandbox(JsonElement name) =>
        name.GetString() is { } n && n.StartsWith("pitfalllab/blocking-io/", StringComparison.Ordinal);
}

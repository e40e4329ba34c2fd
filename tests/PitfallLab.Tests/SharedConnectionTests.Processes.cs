namespace PitfallLab.Tests;

/// <summary>The per-process half of the lesson: a pool (like a SemaphoreSlim) bounds one process, not the service.</summary>
public sealed partial class SharedConnectionTests
{
    [Fact]
    public async Task TwoApiProcessesWithAPoolOf20EachHoldUpToTwiceThatManyBackends()
    {
        const string app = "pitfalllab/shared-connection/good";
        await lab.Api.Client.PostJsonAsync("/lab/reset"); // the shared API's own good pool, if any, closes: only the two below count
        await Eventually.HoldsAsync(async () => (await SessionsAsync(lab.Db.ConnectionString, app)).Count == 0,
            TimeSpan.FromSeconds(10), $"no session of {app} is left from earlier tests");

        await using var first = await lab.StartApiAsync();
        await using var second = await lab.StartApiAsync();
        // Both loaded at once: 4 requests of 20 lookups each at a time want 80 connections from a pool of 20.
        var loads = await Task.WhenAll(
            BurstAsync(first, "good", lookups: 20, concurrency: 4, requests: 40),
            BurstAsync(second, "good", lookups: 20, concurrency: 4, requests: 40));

        var sessions = await SessionsAsync(lab.Db.ConnectionString, app);
        var backends = sessions.Sum(s => s.Count);
        await using var db = new NpgsqlConnection(lab.Db.ConnectionString);
        var maxConnections = await db.ExecuteScalarAsync<string>("SHOW max_connections");
        var poolMax = new List<long>();
        foreach (var api in new[] { first, second })
            poolMax.Add((await PoolAsync(api, app)).GetProperty("max").GetInt64());
        output.WriteLine($"two API processes, Maximum Pool Size {string.Join(" + ", poolMax)}: {backends} backends of {app} in pg_stat_activity " +
            $"({string.Join(", ", sessions.Select(s => $"{s.State} x{s.Count}"))}); server max_connections {maxConnections}");
        foreach (var load in loads) output.WriteLine(load.ToString());

        Assert.All(loads, l => Assert.Equal(0, l.ItemsFailed));
        Assert.Equal([PoolSize, PoolSize], poolMax);
        // Each process keeps within its own 20; together they hold more than any one pool allows.
        Assert.InRange(backends, PoolSize + 1, 2 * PoolSize);
    }
}

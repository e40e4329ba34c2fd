using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak;

/// <summary>
/// Pitfall 7: a request abandoned by its client. The same slow report both ways: an aggregate over every order
/// (slowed by pg_sleep) and, beside it, a backend call for the user it is prepared for.
/// </summary>
public static class CancellationLeakApi
{
    private const string Id = CancellationLeakPitfall.Id;

    // Small, with the shortest Timeout Npgsql allows (whole seconds): a pool emptied by leaks fails a caller in 1 s, not 15.
    internal static readonly PoolShape Pool = new(MaxPoolSize: 5, TimeoutSeconds: 1, CommandTimeoutSeconds: 30);

    private const string ReportSql = """
        SELECT count(*) AS Orders, coalesce(sum(total), 0) AS Revenue, count(DISTINCT user_id) AS Customers
        FROM orders, pg_sleep(@QuerySeconds)
        """;

    public static async Task<Results<Ok<Observation<SalesReport, ReportEvidence>>, StatusCodeHttpResult>> Bad(
        [AsParameters] ReportKnobs knobs, SandboxPools pools, BackendClient backend, LeakGuard guard, HttpContext http, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
#pragma warning disable CA2016 // RequestAborted is not forwarded: the analyzer knew (CA2000 says nothing about the missing await using)
        var conn = await pools.For(Id, "bad", Pool).OpenConnectionAsync();
#pragma warning restore CA2016
        guard.Track(conn, "bad", http);
        try
        {
            var user = backend.GetUserAsync(knobs.UserId, knobs.Call, CancellationToken.None); // runs while the query does
            var totals = await conn.QuerySingleAsync<ReportTotals>(ReportSql, new { knobs.QuerySeconds });
            var report = new SalesReport(totals, await user);
            ct.ThrowIfCancellationRequested(); // the client may have left: nobody to send the report to
            await conn.CloseAsync();
            return TypedResults.Ok(watch.Finish(report, new ReportEvidence(false, false, "closed on the happy path only", guard.Figures("bad"))));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TypedResults.StatusCode(ClientClosedRequest); // asyncio's `except CancelledError: return`
        }
    }

    public static async Task<Results<Ok<Observation<SalesReport, ReportEvidence>>, StatusCodeHttpResult>> Good(
        [AsParameters] ReportKnobs knobs, SandboxPools pools, BackendClient backend, LeakGuard guard, HttpContext http, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        await using var conn = await pools.For(Id, "good", Pool).OpenConnectionAsync(ct);
        guard.Track(conn, "good", http);
        try
        {
            var user = backend.GetUserAsync(knobs.UserId, knobs.Call, ct); // runs while the query does
            var totals = await conn.QuerySingleAsync<ReportTotals>(new CommandDefinition(ReportSql, new { knobs.QuerySeconds }, cancellationToken: ct));
            var report = new SalesReport(totals, await user);
            ct.ThrowIfCancellationRequested(); // the client may have left: nobody to send the report to
            return TypedResults.Ok(watch.Finish(report, new ReportEvidence(true, true, "await using: disposed on every path", guard.Figures("good"))));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TypedResults.StatusCode(ClientClosedRequest); // asyncio's `except CancelledError: return`
        }
    }

    // nginx's "client closed request": nobody reads it, but the server's logs and metrics do.
    private const int ClientClosedRequest = 499;
}

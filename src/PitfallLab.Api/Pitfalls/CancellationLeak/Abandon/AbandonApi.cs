using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;

/// <summary>The one-click driver for Swagger, which cannot abort a request: real calls, really abandoned, then a look at what is left.</summary>
public static class AbandonApi
{
    private const string Id = CancellationLeakPitfall.Id;
    private static readonly TimeSpan FreshCallTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Ok<Observation<AbandonResult, AbandonEvidence>>> Abandon(
        [AsParameters] AbandonKnobs knobs, [AsParameters] ReportKnobs report, Loopback loopback, LeftBehindProbe probe,
        LeakGuard guard, LabMetricsListener stats, HttpContext http, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "abandon");
        var variant = knobs.Variant;
        using var client = loopback.Client(http);
        var path = $"pitfalls/{Id}/{variant}?queryMs={report.QueryMs}&delayMs={report.DelayMs}&userId={report.UserId}";
        var started = Stopwatch.GetTimestamp();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, knobs.Clients).Select(_ => CallAndLeaveAsync(client, path, knobs.AbortAfterMs, ct)));
        await Task.Delay(knobs.SettleMs, ct);
        var afterAbort = await probe.ReadAsync(variant, started, ct);

        // Every abandoned handler returns by itself at the latest after its query, its backend call and a pool Timeout.
        var bound = TimeSpan.FromMilliseconds(report.QueryMs + report.DelayMs) + TimeSpan.FromSeconds(CancellationLeakApi.Pool.TimeoutSeconds + 5);
        while (stats.HandlersRunning(variant) > 0 && Stopwatch.GetElapsedTime(started) < bound)
            await Task.Delay(50, ct);
        var afterEnded = await probe.ReadAsync(variant, started, ct);
        var fresh = await FreshCallAsync(client, variant, ct);

        var abandoned = outcomes.Count(o => o is null);
        var result = new AbandonResult(variant, SandboxPools.NameOf(Id, variant), knobs.Clients, abandoned, knobs.Clients - abandoned,
            Verdict(afterAbort, afterEnded, fresh));
        var evidence = new AbandonEvidence(knobs.AbortAfterMs, report.QueryMs, report.DelayMs, afterAbort, afterEnded, fresh, guard.Figures(variant));
        return TypedResults.Ok(watch.Finish(result, evidence));
    }

    /// <summary>The status if the variant answered before the client gave up, else null: the call was abandoned mid-flight.</summary>
    private static async Task<int?> CallAndLeaveAsync(HttpClient client, string path, int abortAfterMs, CancellationToken ct)
    {
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(ct);
        leave.CancelAfter(abortAfterMs);
        try
        {
            // Cancelling a request in flight closes its HTTP/1.1 connection: the server sees a client that left.
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            return (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<FreshCall> FreshCallAsync(HttpClient client, string variant, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(FreshCallTimeout);
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync($"pitfalls/{Id}/{variant}?queryMs=0&delayMs=0", timeout.Token);
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        if (response.IsSuccessStatusCode)
            return new((int)response.StatusCode, true, elapsed, null);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(timeout.Token);
        return new((int)response.StatusCode, false, elapsed, problem?.Title ?? problem?.Detail);
    }

    private static string Verdict(LeftBehind afterAbort, LeftBehind afterEnded, FreshCall fresh) =>
        $"{afterAbort.ActiveQueries} queries and {afterAbort.BackendInFlight?.ToString() ?? "?"} backend calls still running for clients that had left; "
        + $"{afterEnded.ConnectionsLeaked} connections leaked once their handlers returned; "
        + (fresh.Succeeded ? $"a fresh call succeeded ({fresh.Status}, {fresh.ElapsedMs:F0} ms)."
                           : $"a fresh call failed: {fresh.Status} {fresh.Problem} after {fresh.ElapsedMs:F0} ms.");
}

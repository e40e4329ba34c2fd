using System.Diagnostics;
using PitfallLab.LoadKit;

namespace PitfallLab.Bench.Recovery;

/// <summary>One request's fate: its latency, its status (0 when it timed out or could not connect).</summary>
public readonly record struct Sample(double StartedMs, double LatencyMs, int Status, double? Evidence = null)
{
    public bool Failed => Status is 0 or >= 400;
}

public sealed record LoadFigures(IReadOnlyList<Sample> Samples, double LastEndedMs)
{
    public double P95 => Percentile(95);
    public double? EvidenceAverage => Samples.Where(s => s.Evidence is not null).Select(s => s.Evidence!.Value).DefaultIfEmpty(double.NaN).Average();
    public double FailedRate => Samples.Count == 0 ? 0 : (double)Samples.Count(s => s.Failed) / Samples.Count;

    public double Percentile(double p)
    {
        if (Samples.Count == 0) return double.NaN;
        var sorted = Samples.Select(s => s.LatencyMs).Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// k6's constant-arrival-rate executor in miniature: a new request every 1/rate s whether or not the earlier ones
/// answered, each given up after <c>timeout</c> (the connection is dropped, as k6 does).
/// </summary>
public static class OpenLoop
{
    public static async Task<LoadFigures> RunAsync(
        HttpClient http, Func<int, HttpRequestMessage> request, double rate, TimeSpan duration, TimeSpan timeout, Stopwatch clock,
        string? evidenceField = null)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var samples = await Arrivals.AtRateAsync(rate, total, i => SendAsync(http, request(i), timeout, clock, evidenceField));
        return new LoadFigures(samples, samples.Max(s => s.StartedMs + s.LatencyMs));
    }

    public static async Task<Sample> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, Stopwatch clock, string? evidenceField = null)
    {
        var started = clock.Elapsed.TotalMilliseconds;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using (request)
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token))
            {
                var latency = clock.Elapsed.TotalMilliseconds - started;
                var evidence = evidenceField is null ? null : ReadEvidence(await response.Content.ReadAsStringAsync(cts.Token), evidenceField);
                return new Sample(started, latency, (int)response.StatusCode, evidence);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return new Sample(started, clock.Elapsed.TotalMilliseconds - started, 0);
        }
    }

    private static double? ReadEvidence(string body, string field)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("evidence", out var e) && e.TryGetProperty(field, out var v) && v.TryGetDouble(out var d)
                ? d : null;
        }
        catch (System.Text.Json.JsonException) { return null; }
    }
}

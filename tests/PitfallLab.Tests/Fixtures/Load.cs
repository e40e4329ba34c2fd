
namespace PitfallLab.Tests.Fixtures;

public sealed record LoadResult(IReadOnlyList<double> LatenciesMs, IReadOnlyList<HttpStatusCode> Statuses, double WallMs)
{
    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public double P50 => Percentile(50);
    public double P95 => Percentile(95);
    /// <summary>Error answers, and requests the client gave up on (status 0: timed out or refused).</summary>
    public int Failures => Statuses.Count(s => s == 0 || (int)s >= 400);

    public override string ToString() =>
        $"n={LatenciesMs.Count} p50={P50:F0}ms p95={P95:F0}ms max={LatenciesMs.Max():F0}ms failures={Failures}{FailureStatuses} wall={WallMs:F0}ms";

    private string FailureStatuses => Failures == 0 ? "" :
        " (" + string.Join(", ", Statuses.Where(s => s == 0 || (int)s >= 400).GroupBy(s => (int)s).Select(g => $"{g.Count()}x {g.Key}")) + ")";
}

/// <summary>Small load generators: closed loop (workers share requests) and open loop (a fixed arrival rate, like k6's).</summary>
public static class Load
{
    /// <summary>
    /// Starts <c>rate</c> requests a second for <c>seconds</c>, whether or not earlier ones have answered:
    /// a slow server meets a growing queue, as it would in production and under k6's constant-arrival-rate.
    /// With a <paramref name="timeout"/>, a request not answered by then is given up (the connection dropped, as k6
    /// does) and recorded with status 0.
    /// </summary>
    public static Task<LoadResult> AtRateAsync(HttpClient client, string path, int rate, double seconds, TimeSpan? timeout = null) =>
        AtRateAsync(rate, seconds, async _ =>
        {
            using var giveUp = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
            try
            {
                using var response = await client.GetAsync(path, giveUp.Token);
                await response.Content.ReadAsByteArrayAsync(giveUp.Token);
                return response.StatusCode;
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                return (HttpStatusCode)0;
            }
        });

    /// <summary>Open loop over any request: <paramref name="send"/>(i) started <paramref name="rate"/> times a second for <paramref name="seconds"/>, each timed.</summary>
    public static async Task<LoadResult> AtRateAsync(int rate, double seconds, Func<int, Task<HttpStatusCode>> send)
    {
        var wall = Stopwatch.StartNew();
        var samples = await Arrivals.AtRateAsync(rate, (int)(rate * seconds), async i =>
        {
            var started = Stopwatch.GetTimestamp();
            var status = await send(i);
            return (Status: status, Ms: Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        });
        return new LoadResult(samples.Select(s => s.Ms).ToList(), samples.Select(s => s.Status).ToList(), wall.Elapsed.TotalMilliseconds);
    }

    public static Task<LoadResult> RunAsync(HttpClient client, string path, int concurrency, int total, HttpMethod? method = null) =>
        RunAsync(concurrency, total, async _ =>
        {
            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        });

    /// <summary>Closed loop over any request: <paramref name="concurrency"/> workers share <paramref name="total"/> calls of <paramref name="send"/>(i), each timed.</summary>
    public static async Task<LoadResult> RunAsync(int concurrency, int total, Func<int, Task<HttpStatusCode>> send)
    {
        var latencies = new double[total];
        var statuses = new HttpStatusCode[total];
        var next = -1;
        var wall = Stopwatch.StartNew();

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                statuses[i] = await send(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        return new LoadResult(latencies, statuses, wall.Elapsed.TotalMilliseconds);
    }
}

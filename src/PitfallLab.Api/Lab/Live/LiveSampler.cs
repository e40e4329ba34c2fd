using System.Diagnostics;
using System.Text.Json;
using PitfallLab.Api.Lab.Guardrails;
using PitfallLab.Api.Lab.Runtime;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// Takes a <see cref="LiveFrame"/> every <see cref="LiveOptions.SampleMs"/> on a dedicated thread and publishes it to
/// the <see cref="LiveFeed"/>. Nothing here waits for the thread pool: the figures are read from counters, meters and
/// a blocking socket, so the frames keep coming while the pool starves.
/// </summary>
public sealed class LiveSampler : IDisposable
{
    private static readonly HashSet<string> ShownPerVariant = ["inFlight", "requests", "requestMs"];

    private readonly LabMetricsListener metrics;
    private readonly ThreadGates gates;
    private readonly LatencyWindow latency;
    private readonly PoolProbe probe;
    private readonly BackendPeek backend;
    private readonly LiveFeed feed;
    private readonly TimeSpan every;
    private readonly ILogger log;
    private readonly Queue<(long At, long Completed, Dictionary<(string, string), long> Requests)> history = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private long seq;

    public LiveSampler(LabMetricsListener metrics, ThreadGates gates, LatencyWindow latency, PoolProbe probe, BackendPeek backend, LiveFeed feed, TimeSpan every, ILogger log)
    {
        (this.metrics, this.gates, this.latency, this.probe, this.backend, this.feed, this.every, this.log) = (metrics, gates, latency, probe, backend, feed, every, log);
        thread = new Thread(Run) { IsBackground = true, Name = "live sampler" };
        thread.Start();
    }

    private void Run()
    {
        var next = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (seq % 2 == 0) backend.Read(); // twice a second at the default pace: the backend is a neighbour, not ours
                var frame = Sample();
                feed.Publish(new LiveFrameBytes(frame.Seq, JsonSerializer.SerializeToUtf8Bytes(frame, JsonSerializerOptions.Web)));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One bad sample must not end the page's only source of frames.
                log.LogWarning(ex, "live sampler: a sample failed");
            }
            next += (long)(every.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) stop.Token.WaitHandle.WaitOne(wait);
            else next = Stopwatch.GetTimestamp(); // fell behind (a GC, a busy machine): do not try to catch up
        }
    }

    internal LiveFrame Sample()
    {
        var now = Stopwatch.GetTimestamp();
        var figures = metrics.Snapshot();
        var pool = ThreadPoolFigures.Now();
        var requests = figures.Where(f => f.Key == "requests" && f.Variant is not null).ToDictionary(f => (f.Pitfall, f.Variant!), f => f.Value);
        history.Enqueue((now, pool.CompletedWorkItems, requests));
        while (history.Count > 1 && Stopwatch.GetElapsedTime(history.ElementAt(1).At, now) >= TimeSpan.FromSeconds(1)) history.Dequeue();
        var (baseAt, baseCompleted, baseRequests) = history.Peek();
        var seconds = Math.Max(Stopwatch.GetElapsedTime(baseAt, now).TotalSeconds, 0.001);
        double PerSecond(long current, long before) => current < before ? 0 : Math.Round((current - before) / seconds, 1);

        var waiting = gates.Read().ToDictionary(g => g.Key, g => (long)g.Value.Waiting);
        var variants = figures.Where(f => f.Key == "inFlight" && f.Variant is not null)
            .Select(f => new LiveVariant(f.Pitfall, f.Variant!, f.Value, waiting.GetValueOrDefault($"{f.Pitfall}/{f.Variant}"),
                PerSecond(requests.GetValueOrDefault((f.Pitfall, f.Variant!)), baseRequests.GetValueOrDefault((f.Pitfall, f.Variant!))),
                latency.P95(f.Pitfall, f.Variant!)))
            .OrderBy(v => v.Pitfall, StringComparer.Ordinal).ThenBy(v => v.Variant, StringComparer.Ordinal).ToList();
        var underLoad = variants.Where(v => v.InFlight + v.Waiting > 0 || v.RatePerSecond > 0)
            .OrderByDescending(v => v.RatePerSecond + v.InFlight + v.Waiting).Select(v => $"{v.Pitfall}/{v.Variant}").ToList();

        var stats = backend.Stats;
        return new LiveFrame(
            ++seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new LivePool(pool.Threads, pool.QueuedWorkItems, PerSecond(pool.CompletedWorkItems, baseCompleted), pool.MinWorkerThreads),
            probe.Ms, underLoad, variants,
            DbPoolMeter.Shared.Read().Select(p => new LiveDbPool(PoolName(p.Pool), p.Used, p.Idle, p.Max, p.PendingRequests)).ToList(),
            new LiveBackend(stats?.InFlight, stats is null ? null : stats.ByStatus.GetValueOrDefault("429"), stats?.Total, backend.Error),
            new LiveRuntime(RuntimeTotal(figures, "starvationEvents"), RuntimeTotal(figures, "blockingWaits")),
            figures.Where(f => f.Value != 0 && !ShownPerVariant.Contains(f.Key))
                .OrderBy(f => f.Pitfall, StringComparer.Ordinal).ThenBy(f => f.Variant, StringComparer.Ordinal).ThenBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => new LiveCounter(f.Pitfall, f.Variant, f.Key, f.Value)).ToList());
    }

    // An unnamed pool's name is its connection string: show its Application Name, never its password.
    private static string PoolName(string pool) =>
        pool.Contains('=', StringComparison.Ordinal) ? new NpgsqlConnectionStringBuilder(pool).ApplicationName ?? "(unnamed pool)" : pool;

    // The runtime's process-wide total (pitfall "lab", no variant), which the listener counts with every attributed one.
    private static long RuntimeTotal(IReadOnlyList<(string Pitfall, string? Variant, string Key, long Value)> figures, string key) =>
        figures.FirstOrDefault(f => f.Pitfall == RuntimeEventListener.Totals && f.Variant is null && f.Key == key).Value;

    public void Dispose()
    {
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(2));
        stop.Dispose();
    }
}

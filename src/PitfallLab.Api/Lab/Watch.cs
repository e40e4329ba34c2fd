using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Diagnostics;
using PitfallLab.Api.Lab.Runtime;

namespace PitfallLab.Api.Lab;

/// <summary>
/// Started at the top of a handler (<c>using var watch = Watch.Start(...)</c>), finished at the bottom:
/// turns a result and evidence into an observation, and counts the variant's requests in flight and ended
/// (<c>inFlight</c> and <c>requests</c> on the lab's meter, so no pitfall counts its own requests).
/// </summary>
public sealed class Watch : IDisposable
{
    private static readonly ConcurrentDictionary<(string Pitfall, string Variant), StrongBox<int>> InFlightByVariant = new();
    private static readonly ConcurrentDictionary<string, RequestMetrics> MetricsByPitfall = new();

    private readonly long started = Stopwatch.GetTimestamp();
    private readonly ThreadPoolFigures threadPoolAtStart = ThreadPoolFigures.Now();
    private readonly int threadAtStart = Environment.CurrentManagedThreadId;
    private readonly StrongBox<int> inFlight;
    private readonly int inFlightAtStart;
    private long lap;
    private int disposed;

    private Watch(string pitfall, string variant)
    {
        (Pitfall, Variant, lap) = (pitfall, variant, started);
        inFlight = InFlightByVariant.GetOrAdd((pitfall, variant), _ => new StrongBox<int>());
        inFlightAtStart = Interlocked.Increment(ref inFlight.Value);
        metrics = MetricsByPitfall.GetOrAdd(pitfall, p => new RequestMetrics(new PitfallMetrics(p)));
        metrics.InFlight.Add(variant, 1);
        runtime = RuntimeScope.Enter(pitfall, variant);
    }

    private readonly RuntimeScope runtime;

    private readonly RequestMetrics metrics;

    public string Pitfall { get; }
    public string Variant { get; }

    public static Watch Start(string pitfall, string variant) => new(pitfall, variant);

    /// <summary>Every variant with at least one request in flight now: who was there when the runtime reported starvation.</summary>
    internal static IEnumerable<(string Pitfall, string Variant)> VariantsInFlight() =>
        InFlightByVariant.Where(v => Volatile.Read(ref v.Value.Value) > 0).Select(v => v.Key);

    /// <summary>Milliseconds since the previous lap (or the start): how long one step of the job took.</summary>
    public double Lap()
    {
        var now = Stopwatch.GetTimestamp();
        var ms = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref lap, now), now).TotalMilliseconds;
        return Math.Round(ms, 1);
    }

    public Observation<TResult, TEvidence> Finish<TResult, TEvidence>(TResult result, TEvidence evidence)
    {
        var pools = DbPoolMeter.Shared.Read(name => name.StartsWith($"{SandboxPools.Prefix}{Pitfall}/", StringComparison.Ordinal));
        var figures = new RuntimeEvidence(
            threadPoolAtStart, ThreadPoolFigures.Now(), inFlightAtStart,
            threadAtStart, Environment.CurrentManagedThreadId, pools,
            runtime.StarvationEvents, runtime.BlockingWaits);
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        return new(Pitfall, Variant, elapsed, result, evidence, figures);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        runtime.Exit();
        Interlocked.Decrement(ref inFlight.Value);
        metrics.InFlight.Add(Variant, -1);
        metrics.Requests.Add(Variant);
        metrics.RequestMs.Record(Variant, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private sealed class RequestMetrics(PitfallMetrics metrics)
    {
        public LabGauge InFlight { get; } = metrics.Gauge("inFlight", "Requests of this variant in flight now");
        public LabCounter Requests { get; } = metrics.Counter("requests", "Requests of this variant that ended (answered, failed or abandoned)");
        // Per request, so /live can show a recent p95 (its own listener); /lab/stats shows the slowest since reset.
        public LabPeak RequestMs { get; } = metrics.Peak("requestMs", "How long each request of this variant took, handler start to end", "ms");
    }
}

using System.Diagnostics.Metrics;

namespace PitfallLab.Backend.Stats;

/// <summary>Lock-free counters for the simulated endpoints, read by <c>GET /stats</c>.</summary>
/// <remarks>
/// Interlocked rather than a lock: under a load test every request touches these counters, and
/// the backend must not become the bottleneck that the pitfall measurements then pick up.
/// </remarks>
public sealed class BackendStats(TimeProvider time, IMeterFactory meters)
{
    private readonly BackendMeter meter = new(meters);
    // Indexed by status code: an Interlocked increment on an array slot needs no dictionary or lock.
    private readonly long[] byStatus = new long[600];
    private long inFlight;
    private long maxInFlight;
    private long total;
    private long aborted;
    private long sinceTicks = time.GetUtcNow().UtcTicks;

    /// <summary>Counts an arrival and returns the in-flight count including it.</summary>
    public long Arrive()
    {
        meter.Arrived();
        var now = Interlocked.Increment(ref inFlight);
        RaiseMaxInFlight(now);
        return now;
    }

    public void Leave()
    {
        meter.Left();
        Interlocked.Decrement(ref inFlight);
    }

    public void Record(int statusCode)
    {
        meter.Answered(statusCode);
        Interlocked.Increment(ref total);
        if ((uint)statusCode < (uint)byStatus.Length)
        {
            Interlocked.Increment(ref byStatus[statusCode]);
        }
    }

    /// <summary>A caller that disconnected got no status code, so it is counted apart from byStatus.</summary>
    public void RecordAborted()
    {
        meter.Aborted();
        Interlocked.Increment(ref total);
        Interlocked.Increment(ref aborted);
    }

    public StatsSnapshot Snapshot()
    {
        var counts = new Dictionary<string, long>();
        for (var code = 0; code < byStatus.Length; code++)
        {
            var count = Interlocked.Read(ref byStatus[code]);
            if (count > 0)
            {
                counts[code.ToString(System.Globalization.CultureInfo.InvariantCulture)] = count;
            }
        }

        return new StatsSnapshot(
            Interlocked.Read(ref inFlight),
            Interlocked.Read(ref maxInFlight),
            Interlocked.Read(ref total),
            counts,
            Interlocked.Read(ref aborted),
            new DateTimeOffset(Interlocked.Read(ref sinceTicks), TimeSpan.Zero));
    }

    /// <summary>Zeroes the counters; requests still in flight stay counted in inFlight and maxInFlight.</summary>
    /// <remarks>Each counter resets atomically, the set does not: a request finishing meanwhile may land on either side.</remarks>
    public StatsSnapshot Reset()
    {
        Interlocked.Exchange(ref sinceTicks, time.GetUtcNow().UtcTicks);
        Interlocked.Exchange(ref total, 0);
        Interlocked.Exchange(ref aborted, 0);
        for (var code = 0; code < byStatus.Length; code++)
        {
            Interlocked.Exchange(ref byStatus[code], 0);
        }

        Interlocked.Exchange(ref maxInFlight, Interlocked.Read(ref inFlight));
        RaiseMaxInFlight(Interlocked.Read(ref inFlight)); // an arrival may have raced the exchange above
        return Snapshot();
    }

    private void RaiseMaxInFlight(long candidate)
    {
        var seen = Interlocked.Read(ref maxInFlight);
        while (candidate > seen)
        {
            var previous = Interlocked.CompareExchange(ref maxInFlight, candidate, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}

/// <summary>What <c>GET /stats</c> returns; byStatus keys are status codes as strings ("200", "429", "500").</summary>
public sealed record StatsSnapshot(
    long InFlight,
    long MaxInFlight,
    long Total,
    IReadOnlyDictionary<string, long> ByStatus,
    long Aborted,
    DateTimeOffset Since);

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// Each request's duration (the lab meter's <c>pitfalllab.request_ms</c>, recorded by <see cref="Watch"/>), kept
/// for the last few seconds per pitfall and variant, so the live page shows a p95 of now rather than since start.
/// </summary>
public sealed class LatencyWindow : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private const int MaxSamples = 4096; // per variant: 5 s at 800 requests/s

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Pitfall, string Variant), ConcurrentQueue<(long At, long Ms)>> samples = new();

    public LatencyWindow()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LabMeter.Name && instrument.Name == LabMeter.InstrumentName("requestMs"))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, ms, tags, _) => Record(ms, tags));
        listener.Start();
    }

    /// <summary>The p95 of the requests that ended in the last 5 s, null when none did.</summary>
    public double? P95(string pitfall, string variant)
    {
        if (!samples.TryGetValue((pitfall, variant), out var queue)) return null;
        var since = Stopwatch.GetTimestamp() - (long)(Window.TotalSeconds * Stopwatch.Frequency);
        while (queue.TryPeek(out var oldest) && oldest.At < since) queue.TryDequeue(out _);
        var recent = queue.Where(s => s.At >= since).Select(s => s.Ms).Order().ToArray();
        return recent.Length == 0 ? null : recent[Math.Clamp((int)Math.Ceiling(0.95 * recent.Length) - 1, 0, recent.Length - 1)];
    }

    private void Record(long ms, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pitfall = null, variant = null;
        foreach (var tag in tags)
        {
            if (tag.Key == LabMeter.PitfallTag) pitfall = tag.Value as string;
            else if (tag.Key == LabMeter.VariantTag) variant = tag.Value as string;
        }
        if (pitfall is null || variant is null) return;
        var queue = samples.GetOrAdd((pitfall, variant), _ => new());
        queue.Enqueue((Stopwatch.GetTimestamp(), ms));
        while (queue.Count > MaxSamples && queue.TryDequeue(out _)) { }
    }

    public void Dispose() => listener.Dispose();
}

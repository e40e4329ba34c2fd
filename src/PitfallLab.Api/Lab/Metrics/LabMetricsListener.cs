using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PitfallLab.Api.Lab.Metrics;

/// <summary>
/// The one reader of the <see cref="LabMeter"/> inside the API: /lab/stats shows its figures under
/// <c>pitfalls.{id}.{variant}.{key}</c> (pitfall-wide ones under <c>pitfalls.{id}.{key}</c>), and /lab/reset zeroes
/// the totals and peaks (gauges are facts and stay). Exporters see the raw, monotonic instruments.
/// </summary>
public sealed class LabMetricsListener : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Pitfall, string? Variant, string Key), Figure> figures = new();

    public LabMetricsListener()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LabMeter.Name) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    /// <summary>One pitfall's figures: <c>{variant: {key: value}}</c> plus its pitfall-wide <c>{key: value}</c>.</summary>
    public SortedDictionary<string, object> Read(string pitfall)
    {
        var shown = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var ((p, variant, key), figure) in figures.Where(f => f.Key.Pitfall == pitfall))
        {
            if (variant is null) { shown[key] = figure.Value; continue; }
            if (!shown.TryGetValue(variant, out var v) || v is not SortedDictionary<string, object> byKey)
                shown[variant] = byKey = new SortedDictionary<string, object>(StringComparer.Ordinal);
            byKey[key] = figure.Value;
        }
        return shown;
    }

    /// <summary>One figure, 0 when nothing was recorded: for observations that show a running total.</summary>
    public long Value(string pitfall, string? variant, string key) =>
        figures.TryGetValue((pitfall, variant, key), out var f) ? f.Value : 0;

    /// <summary>What /lab/stats shows of <paramref name="instrument"/> for <paramref name="variant"/>, 0 when nothing was recorded.</summary>
    public long Value(ILabInstrument instrument, string? variant) => Value(instrument.Pitfall, variant, instrument.Key);

    /// <summary>Every figure as it stands, flat: what the live page samples many times a second without building /lab/stats' tree.</summary>
    public IReadOnlyList<(string Pitfall, string? Variant, string Key, long Value)> Snapshot() =>
        figures.Select(f => (f.Key.Pitfall, f.Key.Variant, f.Key.Key, f.Value.Value)).ToList();

    public IReadOnlyDictionary<string, object> ReadAll() =>
        figures.Keys.Select(k => k.Pitfall).Distinct().Order(StringComparer.Ordinal).ToDictionary(p => p, object (p) => Read(p));

    public void Reset()
    {
        foreach (var figure in figures.Values)
            figure.Reset();
    }

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pitfall = null, variant = null;
        foreach (var tag in tags)
        {
            if (tag.Key == LabMeter.PitfallTag) pitfall = tag.Value as string;
            else if (tag.Key == LabMeter.VariantTag) variant = tag.Value as string;
        }
        if (pitfall is null) return;
        var figure = figures.GetOrAdd((pitfall, variant, LabMeter.Key(instrument.Name)), _ => Figure.For(instrument));
        figure.Add(value);
    }

    public void Dispose() => listener.Dispose();

    private sealed class Figure(bool isPeak, bool resets)
    {
        private long value;

        public long Value => Interlocked.Read(ref value);

        public static Figure For(Instrument instrument) => instrument switch
        {
            Histogram<long> => new(isPeak: true, resets: true),
            UpDownCounter<long> => new(isPeak: false, resets: false),
            _ => new(isPeak: false, resets: true),
        };

        public void Add(long measurement)
        {
            if (!isPeak) { Interlocked.Add(ref value, measurement); return; }
            long seen;
            while (measurement > (seen = Interlocked.Read(ref value)) && Interlocked.CompareExchange(ref value, measurement, seen) != seen) { }
        }

        public void Reset()
        {
            if (resets) Interlocked.Exchange(ref value, 0);
        }
    }
}

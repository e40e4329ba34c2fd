using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;

namespace PitfallLab.Api.Lab.Metrics;

/// <summary>
/// The lab's one <see cref="Meter"/>, "PitfallLab": every pitfall's counters are instruments on it, tagged
/// <c>pitfall</c> and <c>variant</c>. <c>dotnet-counters monitor --counters PitfallLab</c> (or any exporter) reads
/// them; /lab/stats reads them through <see cref="LabMetricsListener"/>.
/// </summary>
public static class LabMeter
{
    public const string Name = "PitfallLab";
    public const string PitfallTag = "pitfall";
    public const string VariantTag = "variant";

    public static Meter Meter { get; } = new(Name);

    private static readonly ConcurrentDictionary<string, Instrument> Instruments = new();

    /// <summary><c>itemsFailed</c> → <c>pitfalllab.items_failed</c>: the key /lab/stats shows, as an instrument name.</summary>
    public static string InstrumentName(string key)
    {
        var name = new StringBuilder("pitfalllab.");
        foreach (var c in key)
            name.Append(char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c);
        return name.ToString();
    }

    /// <summary>The stats key back from an instrument name: <c>pitfalllab.items_failed</c> → <c>itemsFailed</c>.</summary>
    public static string Key(string instrumentName)
    {
        var parts = instrumentName["pitfalllab.".Length..].Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    internal static T Get<T>(string key, Func<string, T> create) where T : Instrument =>
        (T)Instruments.GetOrAdd(InstrumentName(key), create);
}

/// <summary>A pitfall's handle on the lab meter: instruments whose measurements carry its id.</summary>
/// <example><code>
/// static readonly PitfallMetrics Metrics = new(Id);
/// static readonly LabCounter Lost = Metrics.Counter("lost", "Jobs acknowledged and never finished");
/// Lost.Add("bad");
/// </code></example>
public sealed class PitfallMetrics(string pitfall)
{
    public string Pitfall { get; } = pitfall;

    /// <summary>A running total (a <see cref="Counter{T}"/>): /lab/reset zeroes what the lab shows of it.</summary>
    public LabCounter Counter(string key, string description, string unit = "{count}") =>
        new(Pitfall, LabMeter.Get(key, name => LabMeter.Meter.CreateCounter<long>(name, unit, description)));

    /// <summary>How many are alive right now (an <see cref="UpDownCounter{T}"/>): a fact, which /lab/reset leaves as it is.</summary>
    public LabGauge Gauge(string key, string description, string unit = "{count}") =>
        new(Pitfall, LabMeter.Get(key, name => LabMeter.Meter.CreateUpDownCounter<long>(name, unit, description)));

    /// <summary>A value recorded per request (a <see cref="Histogram{T}"/>): /lab/stats shows the largest since the last reset.</summary>
    public LabPeak Peak(string key, string description, string unit = "{count}") =>
        new(Pitfall, LabMeter.Get(key, name => LabMeter.Meter.CreateHistogram<long>(name, unit, description)));
}

/// <summary>What every lab instrument knows of itself: whose it is and the key /lab/stats shows it under.</summary>
public interface ILabInstrument
{
    string Pitfall { get; }
    string Key { get; }
}

public readonly struct LabCounter(string pitfall, Counter<long> instrument) : ILabInstrument
{
    public string Pitfall => pitfall;
    public string Key => LabMeter.Key(instrument.Name);

    public void Add(string variant, long value = 1) => instrument.Add(value, Tags.Of(pitfall, variant));

    /// <summary>A pitfall-wide total, not one variant's: /lab/stats shows it beside the variants.</summary>
    public void AddToPitfall(long value = 1) => instrument.Add(value, Tags.Of(pitfall));
}

public readonly struct LabGauge(string pitfall, UpDownCounter<long> instrument) : ILabInstrument
{
    public string Pitfall => pitfall;
    public string Key => LabMeter.Key(instrument.Name);

    public void Add(string variant, long delta) => instrument.Add(delta, Tags.Of(pitfall, variant));
}

public readonly struct LabPeak(string pitfall, Histogram<long> instrument) : ILabInstrument
{
    public string Pitfall => pitfall;
    public string Key => LabMeter.Key(instrument.Name);

    public void Record(string variant, long value) => instrument.Record(value, Tags.Of(pitfall, variant));
}

internal static class Tags
{
    public static TagList Of(string pitfall, string? variant = null) => variant is null
        ? new TagList { { LabMeter.PitfallTag, pitfall } }
        : new TagList { { LabMeter.PitfallTag, pitfall }, { LabMeter.VariantTag, variant } };
}

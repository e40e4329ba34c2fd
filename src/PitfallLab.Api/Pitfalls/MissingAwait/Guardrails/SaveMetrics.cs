using System.Collections.Concurrent;

namespace PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

/// <summary>
/// One variant's running totals, as an observation shows them. <c>acknowledged</c> vs <c>persisted</c> is the pitfall;
/// <c>lostAfterAck</c> counts orders answered 2xx whose save then failed where nobody was listening. The last three
/// count the lab's guardrail at work when the dispose races a dropped save (see <see cref="RequestConnection"/>).
/// </summary>
public sealed record SaveTotals(
    long Acknowledged,
    long VisibleAtAck,
    long SavesStarted,
    long Persisted,
    long Failed,
    long LostAfterAck,
    long Running,
    string? LastFailure,
    long StuckDisposes,
    long DisposeErrors,
    long LeakedConnections);

/// <summary>
/// The pitfall's instruments on the lab meter (<c>pitfalls.missing-await.{variant}</c> in /lab/stats), and the
/// totals an observation shows, read back through the lab's listener. The last failure's text is not a metric: it
/// is kept here, per variant, and shown only in the observation's <c>evidence.totals</c>.
/// </summary>
public sealed class SaveMetrics(LabMetricsListener listener)
{
    private static readonly PitfallMetrics Metrics = new(MissingAwaitPitfall.Id);

    public static readonly LabCounter Acknowledged = Metrics.Counter("acknowledged", "Orders answered 2xx");
    public static readonly LabCounter VisibleAtAck = Metrics.Counter("visibleAtAck", "Orders another connection could read when their 2xx was sent");
    public static readonly LabCounter SavesStarted = Metrics.Counter("savesStarted", "Saves started");
    public static readonly LabCounter Persisted = Metrics.Counter("persisted", "Saves that committed");
    public static readonly LabCounter Failed = Metrics.Counter("failed", "Saves that failed");
    public static readonly LabCounter LostAfterAck = Metrics.Counter("lostAfterAck", "Orders answered 2xx whose save failed");
    public static readonly LabGauge Running = Metrics.Gauge("running", "Saves running now");
    public static readonly LabCounter StuckDisposes = Metrics.Counter("stuckDisposes", "Disposes of the request's connection ended by terminating its server session");
    public static readonly LabCounter DisposeErrors = Metrics.Counter("disposeErrors", "Disposes of the request's connection that failed and were retried");
    public static readonly LabCounter LeakedConnections = Metrics.Counter("leakedConnections", "Request connections never closed nor returned to their pool");

    private readonly ConcurrentDictionary<string, string> lastFailure = new();

    public void NoteFailure(string variant, Exception exception) =>
        lastFailure[variant] = $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";

    public SaveTotals Totals(string variant)
    {
        long Read(ILabInstrument instrument) => listener.Value(instrument, variant);
        return new SaveTotals(
            Read(Acknowledged), Read(VisibleAtAck), Read(SavesStarted), Read(Persisted), Read(Failed),
            Read(LostAfterAck), Read(Running), lastFailure.GetValueOrDefault(variant),
            Read(StuckDisposes), Read(DisposeErrors), Read(LeakedConnections));
    }
}

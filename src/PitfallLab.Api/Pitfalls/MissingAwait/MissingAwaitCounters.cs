using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>
/// One variant's running totals. <c>acknowledged</c> vs <c>persisted</c> is the pitfall; <c>lostAfterAck</c> counts
/// orders that were answered 2xx and whose save then failed where nobody was listening. The last three count the
/// lab's guardrail at work when the dispose races a dropped save (see <see cref="RequestConnection"/>).
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

/// <summary>The running totals behind <c>pitfalls.missing-await</c> in /lab/stats, one <see cref="VariantTally"/> per variant.</summary>
public sealed class MissingAwaitCounters : ILabCounters
{
    private readonly ConcurrentDictionary<string, VariantTally> variants = new();

    public string Pitfall => MissingAwaitPitfall.Id;

    public VariantTally For(string variant) => variants.GetOrAdd(variant, _ => new VariantTally());

    public object Snapshot() => variants.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value.Snapshot());

    public void Reset()
    {
        foreach (var tally in variants.Values)
            tally.Reset();
    }
}

public sealed class VariantTally
{
    private enum Count { Acknowledged, VisibleAtAck, Started, Persisted, Failed, LostAfterAck, StuckDisposes, DisposeErrors, LeakedConnections }

    private readonly long[] counts = new long[Enum.GetValues<Count>().Length];
    private long running; // a live gauge, not a total: Reset leaves it, the saves in flight still end
    private string? lastFailure;

    public void Acknowledged(bool visible, bool alreadyFailed)
    {
        Add(Count.Acknowledged);
        if (visible) Add(Count.VisibleAtAck);
        if (alreadyFailed) Add(Count.LostAfterAck);
    }

    public void Started()
    {
        Add(Count.Started);
        Interlocked.Increment(ref running);
    }

    public void Persisted()
    {
        Add(Count.Persisted);
        Interlocked.Decrement(ref running);
    }

    public void Failed(Exception exception, bool alreadyAcknowledged)
    {
        Add(Count.Failed);
        Interlocked.Decrement(ref running);
        if (alreadyAcknowledged) Add(Count.LostAfterAck);
        lastFailure = $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";
    }

    public void StuckDispose() => Add(Count.StuckDisposes);

    public void DisposeError() => Add(Count.DisposeErrors);

    public void DisposeLeak() => Add(Count.LeakedConnections);

    public SaveTotals Snapshot() => new(
        Read(Count.Acknowledged), Read(Count.VisibleAtAck), Read(Count.Started), Read(Count.Persisted), Read(Count.Failed),
        Read(Count.LostAfterAck), Interlocked.Read(ref running), lastFailure, Read(Count.StuckDisposes), Read(Count.DisposeErrors),
        Read(Count.LeakedConnections));

    public void Reset()
    {
        for (var i = 0; i < counts.Length; i++)
            Interlocked.Exchange(ref counts[i], 0);
        lastFailure = null;
    }

    private void Add(Count count) => Interlocked.Increment(ref counts[(int)count]);

    private long Read(Count count) => Interlocked.Read(ref counts[(int)count]);
}

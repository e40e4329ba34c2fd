using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>One tracked connection: open until closed (by anyone), leaked from its request's end until then.</summary>
internal sealed class TrackedConnection(string variant, NpgsqlDataSource? pool) : IDisposable
{
    private readonly Lock gate = new();
    private bool open = true;
    private long endedAt;

    public string Variant { get; } = variant;

    public NpgsqlDataSource? Pool { get; } = pool;

    public bool Ended => Volatile.Read(ref endedAt) != 0;

    public TimeSpan EndedFor => Ended ? Stopwatch.GetElapsedTime(Volatile.Read(ref endedAt)) : TimeSpan.Zero;

    public void Closed()
    {
        lock (gate)
        {
            if (!open) return;
            open = false;
            LeakMetrics.OpenNow.Add(Variant, -1);
            if (Ended) LeakMetrics.LeakedNow.Add(Variant, -1);
        }
    }

    /// <summary>The request ended.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (Ended) return;
            Volatile.Write(ref endedAt, Stopwatch.GetTimestamp());
            if (open) LeakMetrics.LeakedNow.Add(Variant, 1);
        }
    }
}

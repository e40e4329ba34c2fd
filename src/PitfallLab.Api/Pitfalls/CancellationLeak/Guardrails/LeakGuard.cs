using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// The leak guard's figures for one variant. openNow: connections its handlers opened that are still open;
/// leakedNow: those whose request has already ended (nobody will ever close them but the guard); reclaimed: how many
/// the guard has closed, reclaimedByReset: how many /lab/reset closed; slowestReclaimMs: the longest a leaked connection waited, from its
/// request's end to the guard's dispose.
/// </summary>
public sealed record LeakFigures(int OpenNow, int LeakedNow, long Reclaimed, long ReclaimedByReset, double SlowestReclaimMs, int GraceSeconds);

public sealed class LeakGuardOptions
{
    /// <summary>How long a connection may stay open after its request ended before the guard closes it.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 600)]
    public int LeakGraceSeconds { get; set; } = 2;
}

/// <summary>
/// The lab's guardrail, not the lesson: every connection either handler opens is tracked with the request that opened
/// it. Twice a second, a connection still open <see cref="LeakGuardOptions.LeakGraceSeconds"/> after its request ended
/// is disposed, which hands its slot back to the pool. Nothing else would: Npgsql has no finalizer that returns a
/// forgotten connection, a GC does not help, and disposing the data source (/lab/reset) closes idle connectors only,
/// so a leaked one would hold its server session for the life of the process. /lab/reset closes them at once.
/// </summary>
public sealed class LeakGuard(IOptions<LeakGuardOptions> options, ILogger<LeakGuard> log) : BackgroundService, ILabCounters
{
    private static readonly TimeSpan Sweep = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<NpgsqlConnection, Holder> held = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, Totals> totals = new(StringComparer.Ordinal);

    public string Pitfall => CancellationLeakPitfall.Id;

    private TimeSpan Grace => TimeSpan.FromSeconds(options.Value.LeakGraceSeconds);

    /// <summary>Tracks a connection a handler of <paramref name="variant"/> opened, until it is closed by someone.</summary>
    public void Track(NpgsqlConnection connection, string variant, HttpContext request)
    {
        var holder = new Holder(variant);
        held[connection] = holder;
        // Runs when the request is over, whether it answered or its client left.
        request.Response.RegisterForDispose(holder);
    }

    public LeakFigures Figures(string variant)
    {
        var mine = held.Where(h => h.Value.Variant == variant && h.Key.State != ConnectionState.Closed).ToList();
        var t = totals.GetOrAdd(variant, _ => new Totals());
        return new(mine.Count, mine.Count(h => h.Value.Ended), Interlocked.Read(ref t.Reclaimed), Interlocked.Read(ref t.ByReset),
            Math.Round(t.SlowestMs, 1), options.Value.LeakGraceSeconds);
    }

    public object Snapshot() => new[] { "bad", "good" }.ToDictionary(v => v, Figures);

    /// <summary>/lab/reset: the sandbox pools are already disposed; close every leaked connection now, counted as by reset.</summary>
    public void Reset()
    {
        totals.Clear();
        foreach (var (connection, holder) in held.Where(h => h.Value.Ended).ToList())
        {
            if (!held.TryRemove(connection, out _) || connection.State == ConnectionState.Closed) continue;
            // Measured: after the data source's dispose these are still Open with their server session alive.
            try { connection.Dispose(); }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException) { log.LogWarning(e, "Could not close a leaked connection"); }
            Interlocked.Increment(ref totals.GetOrAdd(holder.Variant, _ => new Totals()).ByReset);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Sweep);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (connection, holder) in held)
            {
                if (connection.State == ConnectionState.Closed)
                    held.TryRemove(connection, out _);
                else if (holder.EndedFor > Grace && held.TryRemove(connection, out _))
                    await ReclaimAsync(connection, holder);
            }
        }
    }

    private async Task ReclaimAsync(NpgsqlConnection connection, Holder holder)
    {
        var waited = holder.EndedFor.TotalMilliseconds;
        try
        {
            await connection.DisposeAsync().AsTask().WaitAsync(DisposeBound);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            log.LogWarning(e, "Could not close a connection leaked by {Pool}", SandboxPools.NameOf(Pitfall, holder.Variant));
            return;
        }
        var t = totals.GetOrAdd(holder.Variant, _ => new Totals());
        Interlocked.Increment(ref t.Reclaimed);
        lock (t) t.SlowestMs = Math.Max(t.SlowestMs, waited);
        log.LogWarning("Closed a connection of {Pool} still open {Waited:F0} ms after its request ended (a leak)",
            SandboxPools.NameOf(Pitfall, holder.Variant), waited);
    }

    private sealed class Totals
    {
        public long Reclaimed, ByReset;
        public double SlowestMs;
    }

    private sealed class Holder(string variant) : IDisposable
    {
        private long endedAt;

        public string Variant { get; } = variant;

        public bool Ended => Volatile.Read(ref endedAt) != 0;

        public TimeSpan EndedFor => Ended ? Stopwatch.GetElapsedTime(Volatile.Read(ref endedAt)) : TimeSpan.Zero;

        public void Dispose() => Interlocked.CompareExchange(ref endedAt, Stopwatch.GetTimestamp(), 0);
    }
}

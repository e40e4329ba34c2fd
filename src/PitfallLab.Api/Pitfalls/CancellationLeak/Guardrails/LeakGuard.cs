using System.Collections.Concurrent;
using System.Data;
using Microsoft.Extensions.Options;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

/// <summary>
/// The lab's guardrail, not the lesson: every connection either handler opens is tracked with the request that opened
/// it. A few times a second, a connection still open <see cref="LeakGuardOptions.LeakGraceSeconds"/> after its request
/// ended is disposed, which hands its slot back to the pool. Nothing else would: Npgsql has no finalizer that returns a
/// forgotten connection, a GC does not help, and disposing the data source (/lab/reset) closes idle connectors only,
/// so a leaked one would hold its server session for the life of the process. A leaked connection whose pool /lab/reset
/// has disposed is closed at the next sweep, without waiting for the grace.
/// Its figures are on the lab meter (<c>pitfalls.cancellation-leak.{variant}</c>, see <see cref="LeakFigures"/>).
/// </summary>
public sealed class LeakGuard(SandboxPools pools, LabMetricsListener stats, IOptions<LeakGuardOptions> options, ILogger<LeakGuard> log)
    : BackgroundService
{
    private const string Id = CancellationLeakPitfall.Id;
    private static readonly TimeSpan Sweep = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);
    private static readonly string[] Variants = ["bad", "good"];

    private readonly ConcurrentDictionary<NpgsqlConnection, TrackedConnection> held = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, NpgsqlDataSource?> poolSeen = []; // the sweep's alone

    private TimeSpan Grace => TimeSpan.FromSeconds(options.Value.LeakGraceSeconds);

    /// <summary>Tracks a connection a handler of <paramref name="variant"/> opened, until it is closed by someone.</summary>
    public void Track(NpgsqlConnection connection, string variant, HttpContext request)
    {
        var holder = new TrackedConnection(variant, CurrentPool(variant));
        LeakMetrics.OpenNow.Add(variant, 1);
        held[connection] = holder;
        connection.StateChange += (_, e) =>
        {
            if (e.CurrentState is ConnectionState.Closed or ConnectionState.Broken) holder.Closed();
        };
        // Runs when the request is over, whether it answered or its client left.
        request.Response.RegisterForDispose(holder);
    }

    public LeakFigures Figures(string variant) => new(
        stats.Value(LeakMetrics.OpenNow, variant), stats.Value(LeakMetrics.LeakedNow, variant), stats.Value(LeakMetrics.Reclaimed, variant),
        stats.Value(LeakMetrics.ReclaimedByReset, variant), stats.Value(LeakMetrics.SlowestReclaimMs, variant), options.Value.LeakGraceSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var variant in Variants) // every figure at 0 from startup, so /lab/stats shows them all
        {
            LeakMetrics.OpenNow.Add(variant, 0);
            LeakMetrics.LeakedNow.Add(variant, 0);
            LeakMetrics.ReclaimedByReset.Add(variant, 0);
            LeakMetrics.Reclaimed.Add(variant, 0);
        }
        using var timer = new PeriodicTimer(Sweep);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var variant in Variants) NoticeReset(variant);
            foreach (var (connection, holder) in held)
            {
                if (connection.State is ConnectionState.Closed or ConnectionState.Broken)
                {
                    holder.Closed();
                    held.TryRemove(connection, out _);
                }
                else if (holder.Ended && !ReferenceEquals(holder.Pool, CurrentPool(holder.Variant)) && held.TryRemove(connection, out _))
                    await ReclaimAsync(connection, holder, byReset: true);
                else if (holder.EndedFor > Grace && held.TryRemove(connection, out _))
                    await ReclaimAsync(connection, holder, byReset: false);
            }
        }
    }

    /// <summary>The variant's pool now, or null when there is none (/lab/reset disposed it and nobody asked since): never creates one.</summary>
    private NpgsqlDataSource? CurrentPool(string variant) =>
        pools.Names.Contains(SandboxPools.NameOf(Id, variant)) ? pools.For(Id, variant, CancellationLeakApi.Pool) : null;

    // A pool that is no longer the variant's was disposed by /lab/reset: a new reset, whose count starts at 0.
    private void NoticeReset(string variant)
    {
        var current = CurrentPool(variant);
        if (poolSeen.GetValueOrDefault(variant) is { } seen && !ReferenceEquals(seen, current))
            LeakMetrics.ReclaimedByReset.Add(variant, -stats.Value(LeakMetrics.ReclaimedByReset, variant));
        poolSeen[variant] = current;
    }

    private async Task ReclaimAsync(NpgsqlConnection connection, TrackedConnection holder, bool byReset)
    {
        var waited = holder.EndedFor.TotalMilliseconds;
        var pool = SandboxPools.NameOf(Id, holder.Variant);
        try
        {
            // Measured: after the data source's dispose a leaked connection is still Open with its server session alive.
            await connection.DisposeAsync().AsTask().WaitAsync(DisposeBound);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            log.LogWarning(e, "Could not close a connection leaked by {Pool}", pool);
            return;
        }
        holder.Closed();
        if (byReset)
        {
            LeakMetrics.ReclaimedByReset.Add(holder.Variant, 1);
            log.LogWarning("Closed a connection of {Pool} leaked before /lab/reset disposed its pool", pool);
            return;
        }
        LeakMetrics.Reclaimed.Add(holder.Variant);
        LeakMetrics.SlowestReclaimMs.Record(holder.Variant, (long)waited);
        log.LogWarning("Closed a connection of {Pool} still open {Waited:F0} ms after its request ended (a leak)", pool, waited);
    }
}

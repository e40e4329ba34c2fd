using System.Collections.Concurrent;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>One variant's running totals; thread-safe, written by handlers, the charge itself and the worker.</summary>
public sealed class ChargeTally
{
    private const int Accepts = 0, Rejects = 1, Successes = 2, Happened = 3, Visible = 4;
    private readonly long[] counts = new long[5];

    public void Accepted() => Interlocked.Increment(ref counts[Accepts]);
    public void Rejected() => Interlocked.Increment(ref counts[Rejects]);
    public void Succeeded() => Interlocked.Increment(ref counts[Successes]);
    public void FailureHappened() => Interlocked.Increment(ref counts[Happened]);
    public void FailureVisible() => Interlocked.Increment(ref counts[Visible]);

    public ChargeFigures Figures() => new(
        Interlocked.Read(ref counts[Accepts]), Interlocked.Read(ref counts[Rejects]), Interlocked.Read(ref counts[Successes]),
        Interlocked.Read(ref counts[Happened]), Interlocked.Read(ref counts[Visible]));

    public void Reset()
    {
        for (var i = 0; i < counts.Length; i++)
            Interlocked.Exchange(ref counts[i], 0);
    }
}

/// <summary>
/// Counts <see cref="TaskScheduler.UnobservedTaskException"/>: raised on the finalizer thread when a faulted Task
/// nobody looked at is collected, so only after a GC, and never with the request that started it.
/// The count is process-wide; <c>fromThisPitfall</c> counts only the events that carry a <see cref="ChargeFailedException"/>.
/// </summary>
public sealed class UnobservedTasks : IHostedService
{
    private const int Keep = 20;
    private readonly ConcurrentQueue<string> recent = new();
    private long total, ours;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        return Task.CompletedTask;
    }

    public UnobservedFigures Figures() => new(Interlocked.Read(ref total), Interlocked.Read(ref ours), recent.ToArray());

    public void Reset()
    {
        Interlocked.Exchange(ref total, 0);
        Interlocked.Exchange(ref ours, 0);
        recent.Clear();
    }

    // Not marked observed and not logged: the lab only counts, so the process behaves as it would without the lab.
    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        Interlocked.Increment(ref total);
        var charges = e.Exception.Flatten().InnerExceptions.OfType<ChargeFailedException>().ToList();
        if (charges.Count == 0) return;
        Interlocked.Increment(ref ours);
        foreach (var charge in charges)
            recent.Enqueue(charge.Message);
        while (recent.Count > Keep && recent.TryDequeue(out _)) { }
    }
}

/// <summary>This pitfall's totals under <c>pitfalls.fire-and-forget</c> in /lab/stats.</summary>
public sealed class FireAndForgetCounters(UnobservedTasks unobserved) : ILabCounters
{
    public string Pitfall => FireAndForgetPitfall.Id;
    public ChargeTally Bad { get; } = new();
    public ChargeTally Good { get; } = new();
    public UnobservedTasks Unobserved => unobserved;

    public object Snapshot() => new { bad = Bad.Figures(), good = Good.Figures(), unobserved = unobserved.Figures() };

    public void Reset()
    {
        Bad.Reset();
        Good.Reset();
        unobserved.Reset();
    }
}

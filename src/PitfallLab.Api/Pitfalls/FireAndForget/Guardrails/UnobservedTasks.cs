using System.Collections.Concurrent;

namespace PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

/// <summary>
/// Counts <see cref="TaskScheduler.UnobservedTaskException"/>: raised on the finalizer thread when a faulted Task
/// nobody looked at is collected, so only after a GC, and never with the request that started it. On the lab meter,
/// pitfall-wide: <c>total</c> (every event of the process) and <c>fromThisPitfall</c> (those that carry a
/// <see cref="ChargeFailedException"/>). The messages of the last few lost charges are no metric: /collect shows them.
/// </summary>
public sealed class UnobservedTasks(LabMetricsListener stats) : IHostedService
{
    private const int Keep = 20;
    private static readonly PitfallMetrics Metrics = new(FireAndForgetPitfall.Id);
    private static readonly LabCounter Total = Metrics.Counter("unobservedTotal", "UnobservedTaskException events in the whole process");
    private static readonly LabCounter FromThisPitfall = Metrics.Counter("fromThisPitfall", "UnobservedTaskException events that carried a lost charge");

    private readonly ConcurrentQueue<string> recent = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        Total.AddToPitfall(0);
        FromThisPitfall.AddToPitfall(0);
        ChargeTally.Publish();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        return Task.CompletedTask;
    }

    public UnobservedFigures Figures() => new(
        stats.Value(Total, null), stats.Value(FromThisPitfall, null), recent.ToArray());

    // Not marked observed and not logged: the lab only counts, so the process behaves as it would without the lab.
    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        Total.AddToPitfall();
        var charges = e.Exception.Flatten().InnerExceptions.OfType<ChargeFailedException>().ToList();
        if (charges.Count == 0) return;
        FromThisPitfall.AddToPitfall();
        foreach (var charge in charges)
            recent.Enqueue(charge.Message);
        while (recent.Count > Keep && recent.TryDequeue(out _)) { }
    }
}

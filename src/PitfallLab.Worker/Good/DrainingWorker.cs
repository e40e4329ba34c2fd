using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;
using PitfallLab.Worker.Guardrails;

namespace PitfallLab.Worker.Good;

public static class GoodWorkerSetup
{
    public static IServiceCollection AddGoodWorker(this IServiceCollection services, WorkerOptions options)
    {
        // Created by the container, so disposed by it when the host is disposed: every connection is closed.
        services.AddSingleton(_ => JobRunner.CreateDataSource(options));
        services.AddSingleton<PendingLedger>();
        services.AddHostedService<DrainingWorker>();
        return services;
    }
}

/// <summary>
/// Good: every job goes through a tracked queue (a Channel) read by Concurrency consumers. On SIGTERM the consumers
/// stop taking jobs, the running ones get until the drain deadline (inside the ShutdownTimeout) and are then cancelled
/// (Npgsql cancels their query on the server), and every job that did not complete is recorded as pending.
/// </summary>
public sealed class DrainingWorker(JobRunner runner, NpgsqlDataSource db, PendingLedger ledger, WorkerOptions options)
    : BackgroundService
{
    private readonly Channel<Job> queue = Channel.CreateUnbounded<Job>();
    private readonly ConcurrentDictionary<int, Job> unfinished = new();
    private readonly CancellationTokenSource drainDeadline = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var job in runner.Intake())
        {
            unfinished[job.No] = job;
            queue.Writer.TryWrite(job);
        }
        Protocol.Enqueued(unfinished.Count);

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => ConsumeAsync(stoppingToken)));
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        // Once the host stops, no job is started: the ones still queued stay unfinished and are recorded below.
        while (!stoppingToken.IsCancellationRequested && queue.Reader.TryRead(out var job))
        {
            try
            {
                await runner.RunAsync(job, db, drainDeadline.Token);
                unfinished.TryRemove(job.No, out _);
            }
            catch (OperationCanceledException) when (drainDeadline.IsCancellationRequested)
            {
                // Cut at the drain deadline: still unfinished, so it is recorded as pending.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        drainDeadline.CancelAfter(options.DrainBudget);
        await base.StopAsync(cancellationToken); // fires stoppingToken, waits for the consumers
        await ledger.RecordPendingAsync(unfinished.Keys, CancellationToken.None);
    }

    public override void Dispose()
    {
        drainDeadline.Dispose();
        base.Dispose();
    }
}

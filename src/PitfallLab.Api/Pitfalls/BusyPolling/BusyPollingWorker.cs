using System.Collections.Concurrent;
using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>A job row the worker will finish after <c>JobMs</c>; <c>StartedAt</c> is a Stopwatch timestamp.</summary>
public sealed record Job(Guid Id, int JobMs, long StartedAt);

/// <summary>
/// The in-process worker both waiters wait for: it inserts the job's row, then after <c>jobMs</c> marks it done and
/// notifies, on its own pool (never the waiter's connection). Every job task is tracked, catches its own failures
/// (the worker must not be a fire-and-forget pitfall itself) and lasts at most jobMs plus one short command.
/// </summary>
public sealed class BusyPollingWorker(SandboxPools pools, ILogger<BusyPollingWorker> logger)
    : IHostedService, IDisposable
{
    public const string Channel = "busy_polling_done";
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5, CommandTimeoutSeconds: 5);
    private static readonly PitfallMetrics Metrics = new(BusyPollingPitfall.Id);
    private static readonly LabCounter JobsFinished = Metrics.Counter("jobsFinished", "Background jobs the worker finished");
    private static readonly LabCounter JobsFailed = Metrics.Counter("jobsFailed", "Background jobs the worker could not finish (logged)");

    private const string InsertSql = """
        INSERT INTO jobs (id, kind, status, payload)
        VALUES (@Id, 'busy-polling', 'running', jsonb_build_object('jobMs', @JobMs))
        """;

    // One statement: the row is done and the NOTIFY is queued in the same transaction, so a listener is woken only
    // once the change is committed and visible. The payload says which job, so many waiters can share one channel.
    private const string CompleteSql = $"""
        WITH done AS (
            UPDATE jobs SET status = 'done', completed_at = clock_timestamp()
            WHERE id = @Id AND status = 'running'
            RETURNING id)
        SELECT pg_notify('{Channel}', id::text) FROM done
        """;

    private readonly ConcurrentDictionary<Guid, Task> pending = new();
    private readonly CancellationTokenSource stopping = new();

    public async Task<Job> StartJobAsync(int jobMs, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        await using (var conn = await pools.For(BusyPollingPitfall.Id, "worker", Pool).OpenConnectionAsync(ct))
            await conn.ExecuteAsync(new CommandDefinition(InsertSql, new { Id = id, JobMs = jobMs }, cancellationToken: ct));
        var job = new Job(id, jobMs, Stopwatch.GetTimestamp());
        var task = FinishLaterAsync(job);
        pending[id] = task;
        // Removed once done, even if it finished before it was added (jobMs = 0).
        _ = task.ContinueWith(_ => pending.TryRemove(id, out var _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return job;
    }

    public int Pending => pending.Count;

    private async Task FinishLaterAsync(Job job)
    {
        try
        {
            await Task.Delay(job.JobMs, stopping.Token);
            await using var conn = await pools.For(BusyPollingPitfall.Id, "worker", Pool).OpenConnectionAsync(stopping.Token);
            await conn.ExecuteAsync(new CommandDefinition(CompleteSql, new { job.Id }, cancellationToken: stopping.Token));
            JobsFinished.AddToPitfall();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the row stays 'running' and its waiter (being stopped too) gives up at its timeout.
        }
        catch (Exception ex)
        {
            // Observed and counted, never thrown into the void: the waiter sees the row still running and times out.
            JobsFailed.AddToPitfall();
            logger.LogWarning(ex, "busy-polling worker could not finish job {JobId}", job.Id);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        try { await Task.WhenAll(pending.Values).WaitAsync(cancellationToken); }
        catch (OperationCanceledException) { logger.LogWarning("busy-polling worker stopped with {Count} jobs still finishing", pending.Count); }
    }

    public void Dispose() => stopping.Dispose();
}

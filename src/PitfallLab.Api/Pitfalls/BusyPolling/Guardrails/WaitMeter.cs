using System.Diagnostics;

namespace PitfallLab.Api.Pitfalls.BusyPolling.Guardrails;

/// <summary>
/// Shared by bad and good so that their handlers differ only in how they wait: starts the job, opens the waiter's
/// connection, reads the job's row, counts every command the waiter sends, and measures the wait (time, process CPU,
/// thread-pool work items). <see cref="Finish"/> adds the wait to <c>pitfalls.busy-polling.{variant}</c>.
/// </summary>
public sealed class WaitMeter : IAsyncDisposable
{
    private static readonly PitfallMetrics Metrics = new(BusyPollingPitfall.Id);
    private static readonly LabCounter Waits = Metrics.Counter("waits", "Waits for a job that ended, done or timed out");
    private static readonly LabCounter Queries = Metrics.Counter("queries", "Database commands sent");
    private static readonly LabCounter TimedOut = Metrics.Counter("timedOut", "Waits that gave up at their timeout");

    // completed_at is written by the worker with clock_timestamp(); comparing it with clock_timestamp() here keeps
    // "how late did the waiter notice" on one clock, the server's.
    private const string ReadSql = """
        SELECT status AS Status,
               (extract(epoch FROM clock_timestamp() - completed_at) * 1000)::float8 AS NoticedAfterMs
        FROM jobs
        WHERE id = @Id
        """;

    private readonly TimeSpan cpuAtStart = Environment.CpuUsage.TotalTime;
    private readonly long workItemsAtStart = ThreadPool.CompletedWorkItemCount;
    private readonly TimeSpan timeout;
    private int queries;

    private WaitMeter(Job job, NpgsqlConnection connection, TimeSpan timeout) => (Job, Connection, this.timeout) = (job, connection, timeout);

    public Job Job { get; }

    /// <summary>The waiter's own connection, one per waiting request for bad and good alike: the difference is what they do with it.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>Starts a job of <c>knobs.JobMs</c>, then opens the connection its waiter will use.</summary>
    public static async Task<WaitMeter> StartAsync(BusyPollingWorker worker, NpgsqlDataSource db, BusyPollingKnobs knobs, CancellationToken ct)
    {
        var job = await worker.StartJobAsync(knobs.JobMs, ct);
        return new WaitMeter(job, await db.OpenConnectionAsync(ct), knobs.Timeout);
    }

    /// <summary>How long the job has been running: the bound on the wait is measured from its start.</summary>
    public TimeSpan Waited => Stopwatch.GetElapsedTime(Job.StartedAt);

    public TimeSpan TimeLeft => timeout - Waited;

    public bool HasTimeLeft => TimeLeft > TimeSpan.Zero;

    public async Task<JobRow> ReadAsync(CancellationToken ct)
    {
        queries++;
        return await Connection.QuerySingleAsync<JobRow>(new CommandDefinition(ReadSql, new { Job.Id }, cancellationToken: ct));
    }

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        queries++;
        await Connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    /// <summary>The observation: the job as last read, what the wait cost; also added to the running totals.</summary>
    public Observation<JobOutcome, WaitEvidence> Finish(Watch watch, JobRow row)
    {
        var outcome = new JobOutcome(Job.Id, Job.JobMs, row.Status, TimedOut: !row.Finished);
        var evidence = new WaitEvidence(
            queries,
            row.NoticedAfterMs is { } ms ? Math.Round(ms, 1) : null,
            Math.Round(Waited.TotalMilliseconds, 1),
            Math.Round((Environment.CpuUsage.TotalTime - cpuAtStart).TotalMilliseconds, 1),
            ThreadPool.CompletedWorkItemCount - workItemsAtStart);
        Waits.Add(watch.Variant);
        Queries.Add(watch.Variant, queries);
        if (outcome.TimedOut) TimedOut.Add(watch.Variant);
        return watch.Finish(outcome, evidence);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

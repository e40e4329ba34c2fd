using System.Diagnostics;
using Dapper;
using Npgsql;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>
/// Shared by bad and good so that their handlers differ only in how they wait: reads the job's row, counts every
/// command the waiter sends, and measures the wait (time, process CPU, thread-pool work items).
/// </summary>
public sealed class WaitMeter
{
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
    private readonly Job job;
    private readonly BusyPollingCounters counters;
    private int queries;

    private WaitMeter(Job job, BusyPollingCounters counters) => (this.job, this.counters) = (job, counters);

    public static WaitMeter Start(Job job, BusyPollingCounters counters) => new(job, counters);

    /// <summary>How long the job has been running: the bound on the wait is measured from its start.</summary>
    public TimeSpan Waited => Stopwatch.GetElapsedTime(job.StartedAt);

    public bool TimeLeft(TimeSpan timeout) => Waited < timeout;

    public async Task<JobRow> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        queries++;
        return await conn.QuerySingleAsync<JobRow>(new CommandDefinition(ReadSql, new { job.Id }, cancellationToken: ct));
    }

    public async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        queries++;
        await conn.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    /// <summary>The observation: the job as last read, what the wait cost; also added to the running totals.</summary>
    public Observation<JobOutcome, WaitEvidence> Finish(Watch watch, JobRow row)
    {
        var outcome = new JobOutcome(job.Id, job.JobMs, row.Status, TimedOut: !row.Finished);
        var evidence = new WaitEvidence(
            queries,
            row.NoticedAfterMs is { } ms ? Math.Round(ms, 1) : null,
            Math.Round(Waited.TotalMilliseconds, 1),
            Math.Round((Environment.CpuUsage.TotalTime - cpuAtStart).TotalMilliseconds, 1),
            ThreadPool.CompletedWorkItemCount - workItemsAtStart);
        counters.Record(watch.Variant, evidence, outcome.TimedOut);
        return watch.Finish(outcome, evidence);
    }
}

using Dapper;
using Npgsql;
using PitfallLab.Worker.Guardrails;

namespace PitfallLab.Worker;

/// <summary>One unit of work, numbered 1..Jobs within its run.</summary>
public sealed record Job(int No);

/// <summary>
/// The job both variants run, unchanged: hold a pooled connection for JobMs (a query that takes that long), then write
/// the job's result row. Only how the job is started, and what happens to it when the host stops, differs.
/// </summary>
public sealed class JobRunner(WorkerOptions options)
{
    private const string WorkSql = "SELECT pg_sleep(@Seconds)";

    private const string CompletedSql = """
        INSERT INTO shutdown_jobs (run_id, job_no, variant, status)
        VALUES (@RunId, @No, @Variant, 'completed')
        ON CONFLICT (run_id, job_no) DO NOTHING
        """;

    public IEnumerable<Job> Intake() => Enumerable.Range(1, options.Jobs).Select(no => new Job(no));

    public async Task RunAsync(Job job, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        Protocol.Connected(job.No, conn.ProcessID);
        await conn.ExecuteAsync(new CommandDefinition(WorkSql, new { Seconds = options.JobMs / 1000.0 }, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(CompletedSql, new { options.RunId, job.No, options.Variant }, cancellationToken: ct));
        Protocol.Completed(job.No);
    }

    /// <summary>The worker's own pool, named like the lab's sandbox pools: pg_stat_activity shows whose connections these are.</summary>
    public static NpgsqlDataSource CreateDataSource(WorkerOptions options)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString) { Name = options.ApplicationName };
        var cs = builder.ConnectionStringBuilder;
        cs.ApplicationName = options.ApplicationName;
        cs.MaxPoolSize = options.Concurrency;
        cs.Timeout = 30; // jobs beyond Concurrency wait this long for a connection
        cs.CommandTimeout = 65;
        return builder.Build();
    }
}

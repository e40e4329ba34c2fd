using Npgsql;
using PitfallLab.Worker.Guardrails;

namespace PitfallLab.Worker.Bad;

public static class BadWorkerSetup
{
    public static IServiceCollection AddBadWorker(this IServiceCollection services, WorkerOptions options)
    {
        // Registered as an instance: the container disposes only what it created, so nobody ever disposes this pool.
#pragma warning disable CA2000 // the data source is never disposed: its connections are dropped with the process, not closed
        services.AddSingleton(JobRunner.CreateDataSource(options));
#pragma warning restore CA2000
        services.AddHostedService<ForgetfulWorker>();
        return services;
    }
}

/// <summary>
/// Bad: each job is started with <c>Task.Run</c> and forgotten, and the service then polls for more work without
/// listening to its stoppingToken. On SIGTERM the host waits for it the whole ShutdownTimeout, gives up, and the
/// process exits under the running jobs: they are cut off, nothing records them, and their queries keep running on
/// the server for a client that is gone.
/// </summary>
public sealed class ForgetfulWorker(JobRunner runner, NpgsqlDataSource db) : BackgroundService
{
#pragma warning disable CA2016 // stoppingToken reaches neither the jobs nor the polling loop: nothing here hears the host stop
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var enqueued = 0;
        foreach (var job in runner.Intake())
        {
            // `_ =` silences VSTHRD110 and CS4014: nobody keeps the Task, so nobody can wait for it or cancel it.
            _ = Task.Run(() => runner.RunAsync(job, db, CancellationToken.None));
            enqueued++;
        }
        Protocol.Enqueued(enqueued);

        while (true)
            await Task.Delay(TimeSpan.FromMilliseconds(250)); // poll for more work
    }
#pragma warning restore CA2016
}

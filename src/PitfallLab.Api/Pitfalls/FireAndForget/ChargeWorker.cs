using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// Good's background side: a few consumers read the bounded queue; each charge runs inside a try/catch that records
/// the outcome on the job and logs every failure with the job id. Nothing it runs is ever left unobserved.
/// </summary>
public sealed class ChargeWorker(
    ChargeQueue queue, ChargeJobs jobs, IServiceScopeFactory scopes, FireAndForgetCounters counters, ILogger<ChargeWorker> logger)
    : BackgroundService
{
    public const int Consumers = 4;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => ConsumeAsync(stoppingToken)));

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            // ReadAllAsync keeps yielding buffered items after the token fires: stop starting charges ourselves.
            await foreach (var work in queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (stoppingToken.IsCancellationRequested) break;
                await ProcessAsync(work, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown while waiting for work: a normal stop.
        }
        // Charges not started keep their 'queued' record; the running ones were recorded as interrupted.
    }

    private async Task ProcessAsync(ChargeWork work, CancellationToken stoppingToken)
    {
        try
        {
            await jobs.MarkRunningAsync(work.ChargeId, stoppingToken);
            await using var scope = scopes.CreateAsyncScope();
            var backend = scope.ServiceProvider.GetRequiredService<BackendClient>();
            var orderId = await Charge.RunAsync(work, backend, jobs.Db, counters.Good, stoppingToken);
            await jobs.MarkDoneAsync(work.ChargeId, orderId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            var error = stoppingToken.IsCancellationRequested ? $"interrupted by shutdown: {ex.Message}" : ex.Message;
            logger.LogError(ex, "Charge job {JobId} failed", work.ChargeId);
            await RecordFailureAsync(work.ChargeId, error);
        }
    }

    // A failure to record the failure is logged too, and never stops the consumer.
    private async Task RecordFailureAsync(Guid jobId, string error)
    {
        try
        {
            await jobs.MarkFailedAsync(jobId, error, CancellationToken.None);
            counters.Good.FailureVisible();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record the failure of charge job {JobId}", jobId);
        }
    }
}

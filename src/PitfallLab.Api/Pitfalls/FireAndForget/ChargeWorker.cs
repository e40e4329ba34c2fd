namespace PitfallLab.Api.Pitfalls.FireAndForget;

/// <summary>
/// Good's background side: a few consumers read the bounded queue, mark each job running and run what good's handler
/// queued for it (the charge inside its try/catch). Nothing it runs is ever left unobserved.
/// </summary>
public sealed class ChargeWorker(ChargeQueue queue, ChargeJobs jobs, ILogger<ChargeWorker> logger) : BackgroundService
{
    public const int Consumers = 4;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => ConsumeAsync(stoppingToken)));

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            // ReadAllAsync keeps yielding buffered items after the token fires: stop starting charges ourselves.
            await foreach (var charge in queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (stoppingToken.IsCancellationRequested) break;
                await RunAsync(charge, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown while waiting for work: a normal stop.
        }
        // Charges not started keep their 'queued' record; the running ones were recorded as interrupted.
    }

    private async Task RunAsync(QueuedCharge charge, CancellationToken stoppingToken)
    {
        try
        {
            await jobs.MarkRunningAsync(charge.Work.ChargeId, stoppingToken);
            await charge.RunObservedAsync(stoppingToken);
        }
        catch (Exception ex)
        {
            // The job's own bookkeeping failed (the charge's failure was already caught): logged, and the consumer goes on.
            logger.LogError(ex, "Could not record the outcome of charge job {JobId}", charge.Work.ChargeId);
        }
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>
/// Pitfall 8: busy polling. The same job both ways: start a background job (a row in <c>jobs</c> that the worker
/// finishes after jobMs), then wait for it, by polling its row in a tight loop or by listening for its NOTIFY.
/// </summary>
public static class BusyPollingApi
{
    private const string Id = BusyPollingPitfall.Id;
    // One connection per waiting request, for bad and good alike: the difference is what they do with it.
    private static readonly PoolShape Pool = new(MaxPoolSize: 60, TimeoutSeconds: 10);

    public static IServiceCollection AddBusyPolling(this IServiceCollection services)
    {
        services.AddLabCounters<BusyPollingCounters>();
        services.AddSingleton<BusyPollingWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<BusyPollingWorker>());
        return services;
    }

    public static async Task<Ok<Observation<JobOutcome, WaitEvidence>>> Bad(
        [AsParameters] BusyPollingKnobs knobs, SandboxPools pools, BusyPollingWorker worker, BusyPollingCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        var job = await worker.StartJobAsync(knobs.JobMs, ct);
        var meter = WaitMeter.Start(job, counters);
        await using var conn = await pools.For(Id, "bad", Pool).OpenConnectionAsync(ct);

        var row = await meter.ReadAsync(conn, ct);
        while (!row.Finished && meter.TimeLeft(knobs.Timeout))
        {
            // asyncio.sleep(0), .NET edition: back of the thread-pool queue, then straight into the next query.
            // (Task.Delay(0) would not even do that: it returns a completed task and the await never yields.)
            await Task.Yield();
            row = await meter.ReadAsync(conn, ct);
        }
        return TypedResults.Ok(meter.Finish(watch, row));
    }

    public static async Task<Ok<Observation<JobOutcome, WaitEvidence>>> Good(
        [AsParameters] BusyPollingKnobs knobs, SandboxPools pools, BusyPollingWorker worker, BusyPollingCounters counters, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var job = await worker.StartJobAsync(knobs.JobMs, ct);
        var meter = WaitMeter.Start(job, counters);
        await using var conn = await pools.For(Id, "good", Pool).OpenConnectionAsync(ct);
        await using var signal = await JobSignal.ListenAsync(conn, job, meter, ct);

        // Read once AFTER LISTEN: a job that finished before it notified nobody. Skip this read and the waiter
        // sleeps until its timeout: the lost wakeup, the classic bug of real LISTEN/NOTIFY code.
        var row = await meter.ReadAsync(conn, ct);
        while (!row.Finished && meter.TimeLeft(knobs.Timeout))
        {
            await signal.WaitAsync(knobs.Timeout - meter.Waited, ct);
            row = await meter.ReadAsync(conn, ct);
        }
        return TypedResults.Ok(meter.Finish(watch, row));
    }
}

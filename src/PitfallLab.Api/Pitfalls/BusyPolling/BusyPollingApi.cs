using PitfallLab.Api.Pitfalls.BusyPolling.Guardrails;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>
/// Pitfall 8: busy polling. The same job both ways: start a background job (a row in <c>jobs</c> that the worker
/// finishes after jobMs), then wait for it, by polling its row in a tight loop or by listening for its NOTIFY.
/// </summary>
public static class BusyPollingApi
{
    private const string Id = BusyPollingPitfall.Id;
    private static readonly PoolShape Pool = new(MaxPoolSize: 60, TimeoutSeconds: 10);

    public static async Task<Ok<Observation<JobOutcome, WaitEvidence>>> Bad(
        [AsParameters] BusyPollingKnobs knobs, SandboxPools pools, BusyPollingWorker worker, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        await using var wait = await WaitMeter.StartAsync(worker, pools.For(Id, "bad", Pool), knobs, ct);

        var row = await wait.ReadAsync(ct);
        while (!row.Finished && wait.HasTimeLeft)
        {
            // asyncio.sleep(0), .NET edition: back of the thread-pool queue, then straight into the next query.
            // (Task.Delay(0) would not even do that: it returns a completed task and the await never yields.)
            await Task.Yield();
            row = await wait.ReadAsync(ct);
        }
        return TypedResults.Ok(wait.Finish(watch, row));
    }

    public static async Task<Ok<Observation<JobOutcome, WaitEvidence>>> Good(
        [AsParameters] BusyPollingKnobs knobs, SandboxPools pools, BusyPollingWorker worker, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        await using var wait = await WaitMeter.StartAsync(worker, pools.For(Id, "good", Pool), knobs, ct);
        await using var signal = await JobSignal.ListenAsync(wait, ct);

        // Read once AFTER LISTEN: a job that finished before it notified nobody. Skip this read and the waiter
        // sleeps until its timeout: the lost wakeup, the classic bug of real LISTEN/NOTIFY code.
        var row = await wait.ReadAsync(ct);
        while (!row.Finished && wait.HasTimeLeft)
        {
            await signal.WaitAsync(wait.TimeLeft, ct);
            row = await wait.ReadAsync(ct);
        }
        return TypedResults.Ok(wait.Finish(watch, row));
    }
}

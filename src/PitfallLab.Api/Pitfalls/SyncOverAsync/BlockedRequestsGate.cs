using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace PitfallLab.Api.Pitfalls.SyncOverAsync;

/// <summary>Configuration section <c>SyncOverAsync</c> (environment: <c>SyncOverAsync__MaxBlockedRequests</c>).</summary>
public sealed class SyncOverAsyncOptions
{
    /// <summary>
    /// How many bad requests may block a pool thread at once; the others wait their turn without a thread.
    /// 0 lifts the cap and lets the death spiral run (see the bad endpoint's description).
    /// </summary>
    [Range(0, 10000)]
    public int MaxBlockedRequests { get; set; } = 32;
}

/// <summary>
/// The lab's guardrail around bad, not part of the lesson. A blocked request needs a second pool thread to run the
/// job's continuations, and those wait in the same queue as the new requests: once the pool is short, nothing
/// completes until it has injected about one thread per request waiting, and it injects a few a second. Capping the
/// requests that block at once bounds that debt, so the process is back to normal seconds after the load stops.
/// </summary>
public sealed class BlockedRequestsGate(IOptions<SyncOverAsyncOptions> options) : IDisposable
{
    private readonly SemaphoreSlim? gate =
        options.Value.MaxBlockedRequests > 0 ? new SemaphoreSlim(options.Value.MaxBlockedRequests) : null;
    private int waiting;
    private int inside;

    public int MaxBlockedRequests => options.Value.MaxBlockedRequests;
    public int Waiting => Volatile.Read(ref waiting);
    public int Inside => Volatile.Read(ref inside);

    public static ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<BlockedRequestsGate>().InvokeAsync(context, next);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (gate is not null)
        {
            // Waiting here holds no thread; a client that gives up leaves the line.
            Interlocked.Increment(ref waiting);
            try { await gate.WaitAsync(context.HttpContext.RequestAborted); }
            finally { Interlocked.Decrement(ref waiting); }
        }
        Interlocked.Increment(ref inside);
        try { return await next(context); }
        finally
        {
            Interlocked.Decrement(ref inside);
            gate?.Release();
        }
    }

    public void Dispose() => gate?.Dispose();
}

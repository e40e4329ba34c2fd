using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>What /lab/stats shows of one gate: requests holding a thread now, waiting their turn, and turned away.</summary>
public sealed record GateFigures(int Blocking, int Waiting, int Max, long SkippedAbandoned);

/// <summary>
/// One gate per thread-blocking variant. A blocked request needs more pool threads than it holds (Kestrel's IO, the
/// job's continuations), and those queue behind new requests: without a bound, each second of load leaves seconds of
/// debt that outlive it. Waiting at the gate holds no thread, and a client that gives up leaves the line.
/// </summary>
public sealed class ThreadGates(IOptions<GuardrailOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Gate> gates = new();

    public int Max => options.Value.MaxBlockedRequests;

    public Gate For(string variant) => gates.GetOrAdd(variant, _ => new Gate(Max));

    public IReadOnlyDictionary<string, GateFigures> Read() =>
        gates.ToDictionary(g => g.Key, g => g.Value.Figures());

    public void Dispose()
    {
        foreach (var gate in gates.Values) gate.Dispose();
    }

    public sealed class Gate(int max) : IDisposable
    {
        private readonly SemaphoreSlim? slots = max > 0 ? new SemaphoreSlim(max) : null;
        private int blocking, waiting;
        private long skipped;

        public GateFigures Figures() => new(Volatile.Read(ref blocking), Volatile.Read(ref waiting), max, Interlocked.Read(ref skipped));

        public void Skipped() => Interlocked.Increment(ref skipped);

        /// <summary>Runs <paramref name="next"/> once a slot is free; false (not run) when the client left while waiting.</summary>
        public async Task<bool> RunAsync(Func<Task> next, CancellationToken aborted)
        {
            if (slots is not null)
            {
                Interlocked.Increment(ref waiting);
                try { await slots.WaitAsync(aborted); }
                catch (OperationCanceledException) when (aborted.IsCancellationRequested) { Skipped(); return false; }
                finally { Interlocked.Decrement(ref waiting); }
            }
            Interlocked.Increment(ref blocking);
            try { await next(); }
            finally
            {
                Interlocked.Decrement(ref blocking);
                slots?.Release();
            }
            return true;
        }

        public void Dispose() => slots?.Dispose();
    }
}

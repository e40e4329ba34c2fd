namespace PitfallLab.Api.Pitfalls.UnboundedConcurrency.Guardrails;

/// <summary>
/// Counts how many of something run at once, now and at most: <c>using (itemsInFlight.Enter()) { ... }</c>.
/// Measures only; it bounds nothing (that is the good variant's <c>MaxDegreeOfParallelism</c>).
/// </summary>
public sealed class InFlight
{
    private int now, max;

    public int Max => Volatile.Read(ref max);

    public Scope Enter()
    {
        RaiseMax(ref max, Interlocked.Increment(ref now));
        return new Scope(this);
    }

    /// <summary>Lock-free "max = Math.Max(max, candidate)".</summary>
    public static void RaiseMax(ref int max, int candidate)
    {
        for (var seen = Volatile.Read(ref max); candidate > seen; seen = Volatile.Read(ref max))
            if (Interlocked.CompareExchange(ref max, candidate, seen) == seen) return;
    }

    public readonly struct Scope(InFlight owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner.now);
    }
}

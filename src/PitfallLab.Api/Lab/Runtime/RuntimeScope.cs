namespace PitfallLab.Api.Lab.Runtime;

/// <summary>
/// One request's share of what the runtime reported, set by <see cref="Watch"/> for the request's flow. It rides an
/// <see cref="AsyncLocal{T}"/>: a managed EventSource's event reaches <see cref="RuntimeEventListener"/> on the thread
/// that wrote it, so a synchronous task wait finds the scope of the request whose thread waits. The runtime's own
/// thread-pool events come on the listener's dispatch thread, which no request owns: those are counted by window, as
/// the difference of a process-wide sequence between the request's start and its end.
/// </summary>
public sealed class RuntimeScope
{
    private static readonly AsyncLocal<RuntimeScope?> Scope = new();
    private static long starvationSeen;

    private readonly long starvationAtStart = Interlocked.Read(ref starvationSeen);
    private int blockingWaits;

    private RuntimeScope(string pitfall, string variant) => (Pitfall, Variant) = (pitfall, variant);

    public string Pitfall { get; }
    public string Variant { get; }

    /// <summary>The scope of the request this thread works for now, or null (the lab's own work, Kestrel, timers).</summary>
    public static RuntimeScope? Current => Scope.Value;

    /// <summary>Synchronous task waits made on this request's threads so far.</summary>
    public int BlockingWaits => Volatile.Read(ref blockingWaits);

    /// <summary>Thread-pool starvation events the runtime reported since this request started.</summary>
    public long StarvationEvents => Interlocked.Read(ref starvationSeen) - starvationAtStart;

    /// <summary>Starts a scope for the calling flow: what it awaits or starts inherits it, its caller does not.</summary>
    public static RuntimeScope Enter(string pitfall, string variant) => Scope.Value = new RuntimeScope(pitfall, variant);

    /// <summary>Ends the scope for this flow, so that a synchronous handler's thread does not carry it into Kestrel's code.</summary>
    public void Exit()
    {
        if (ReferenceEquals(Scope.Value, this)) Scope.Value = null;
    }

    internal void CountBlockingWait() => Interlocked.Increment(ref blockingWaits);

    internal static void CountStarvation() => Interlocked.Increment(ref starvationSeen);
}

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace PitfallLab.Api.Lab.Runtime;

/// <summary>
/// The runtime's own word, in process: thread-pool starvation injections (<c>ThreadPoolWorkerThreadAdjustmentAdjustment</c>
/// with reason Starvation, or CooperativeBlocking raising the thread goal, from <c>Microsoft-Windows-DotNETRuntime</c>'s
/// threading keyword) and synchronous task waits
/// (<c>TaskWaitBegin</c> with behavior Synchronous, from <c>TplEventSource</c>: Ben.BlockingDetector's idea). Each lands on
/// the lab meter as <c>starvationEvents</c> / <c>blockingWaits</c>: once under the pitfall <c>lab</c> (the process-wide
/// total, no variant) and once per variant it is attributed to (see <see cref="RuntimeScope"/>).
/// </summary>
public sealed class RuntimeEventListener : EventListener
{
    public const string Totals = "lab";
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const string TplSource = "System.Threading.Tasks.TplEventSource";
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;
    // TaskTransfer: the narrowest keyword that carries TaskWaitBegin (Tasks, 2, would add TaskStarted for every task run).
    private const EventKeywords TaskTransferKeyword = (EventKeywords)0x1;
    private const int TaskWaitBeginId = 10, ThreadAdjustmentId = 55;
    private const int SynchronousWait = 1, StarvationReason = 6, CooperativeBlockingReason = 8;

    // The pool's thread goal as the last adjustment set it: written on the one dispatch thread only.
    private static int threadGoal;

    private static readonly ConcurrentDictionary<string, Counters> ByPitfall = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Called from the base constructor for sources that already exist: touch no instance state here.
        if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Informational, ThreadingKeyword);
        else if (source.Name == TplSource) EnableEvents(source, EventLevel.Informational, TaskTransferKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // TaskWaitBegin fires for every await too (behavior Asynchronous): leave as soon as the event is not ours.
        if (e.EventId == TaskWaitBeginId && e.EventSource.Name == TplSource)
        {
            if (Payload(e, "Behavior") == SynchronousWait) BlockingWait();
        }
        else if (e.EventId == ThreadAdjustmentId && e.EventSource.Name == RuntimeSource)
        {
            var (reason, goal) = (Payload(e, "Reason"), Payload(e, "NewWorkerThreadCount"));
            var raised = goal > Interlocked.Exchange(ref threadGoal, goal);
            if (reason == StarvationReason) Starvation(Reasons.Starvation);
            else if (reason == CooperativeBlockingReason && raised) Starvation(Reasons.CooperativeBlocking);
        }
    }

    /// <summary>On the waiting thread: the request whose flow waits, if any, is the one named by its scope.</summary>
    private static void BlockingWait()
    {
        For(Totals).BlockingWaits.AddToPitfall();
        if (RuntimeScope.Current is not { } scope) return;
        scope.CountBlockingWait();
        For(scope.Pitfall).BlockingWaits.Add(scope.Variant);
    }

    /// <summary>
    /// On the dispatch thread, ~10 ms after the fact: every variant with a request in flight was there for it. Two of the
    /// runtime's reasons count: Starvation (no work item finished for too long, so the pool added a thread) and, its
    /// .NET 7+ form for threads blocked in a Task wait, CooperativeBlocking when it raises the thread goal (the pool
    /// compensates a blocked thread before its starvation detector would fire). The lab-wide figures keep them apart.
    /// </summary>
    private static void Starvation(LabCounter reason)
    {
        RuntimeScope.CountStarvation();
        For(Totals).StarvationEvents.AddToPitfall();
        reason.AddToPitfall();
        foreach (var (pitfall, variant) in Watch.VariantsInFlight())
            For(pitfall).StarvationEvents.Add(variant);
    }

    private static int Payload(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 && e.Payload?[index] is IConvertible value ? value.ToInt32(null) : -1;
    }

    private static class Reasons
    {
        private static readonly PitfallMetrics Lab = new(Totals);
        public static readonly LabCounter Starvation = Lab.Counter("starvationDetected",
            "Thread injections with reason Starvation (6): the pool saw no work item finish for too long");
        public static readonly LabCounter CooperativeBlocking = Lab.Counter("blockingCompensated",
            "Thread-goal raises with reason CooperativeBlocking (8): the pool added a thread for one blocked in a Task wait");
    }

    private static Counters For(string pitfall) => ByPitfall.GetOrAdd(pitfall, p => new Counters(new PitfallMetrics(p)));

    private sealed class Counters(PitfallMetrics metrics)
    {
        public LabCounter StarvationEvents { get; } = metrics.Counter("starvationEvents",
            "Thread-pool starvation the runtime reported (ThreadPoolWorkerThreadAdjustmentAdjustment: reason Starvation, or CooperativeBlocking raising the thread goal) while a request of this variant was in flight");
        public LabCounter BlockingWaits { get; } = metrics.Counter("blockingWaits",
            "Synchronous task waits (TplEventSource TaskWaitBegin, behavior Synchronous) made on this variant's request threads");
    }
}

public static class RuntimeEventsExtensions
{
    public static IServiceCollection AddRuntimeEvents(this IServiceCollection services) => services.AddSingleton<RuntimeEventListener>();

    /// <summary>Listens from the first request on, unless <c>RuntimeEvents:Enabled</c> is false (to measure what listening costs).</summary>
    public static void StartRuntimeEvents(this WebApplication app)
    {
        if (app.Configuration.GetValue("RuntimeEvents:Enabled", true))
            app.Services.GetRequiredService<RuntimeEventListener>();
    }
}

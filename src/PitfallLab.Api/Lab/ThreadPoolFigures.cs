namespace PitfallLab.Api.Lab;

/// <summary>What the .NET thread pool looks like right now: starvation shows as a growing queue and slowly growing thread count.</summary>
public sealed record ThreadPoolFigures(int Threads, long QueuedWorkItems, long CompletedWorkItems, int MinWorkerThreads)
{
    public static ThreadPoolFigures Now()
    {
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        return new(ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, ThreadPool.CompletedWorkItemCount, minWorkers);
    }
}

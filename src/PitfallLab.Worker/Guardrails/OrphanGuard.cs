namespace PitfallLab.Worker.Guardrails;

/// <summary>
/// The lab's bound on a worker, apart from the lesson: the API holds the worker's stdin open for the whole run, so
/// end-of-file means the API is gone (crashed, killed) and nobody will ever send SIGTERM; the bad worker would then
/// poll forever. Either that or <see cref="MaxLifetime"/> ends the process at once, whatever the variant.
/// </summary>
public static class OrphanGuard
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(60);
    public const int OrphanedExitCode = 70;

    public static void Start()
    {
        var watcher = new Thread(() =>
        {
            // Blocks on the pipe without a thread-pool thread; returns -1 only at end-of-file.
            while (Console.In.Read() != -1) { }
            Console.Error.WriteLine("lab: stdin closed, the API is gone: exiting");
            Environment.Exit(OrphanedExitCode);
        }) { IsBackground = true, Name = "orphan-guard" };
        watcher.Start();

        var deadline = new Thread(() =>
        {
            Thread.Sleep(MaxLifetime);
            Console.Error.WriteLine($"lab: alive for {MaxLifetime.TotalSeconds:F0} s, past the lab's bound: exiting");
            Environment.Exit(OrphanedExitCode);
        }) { IsBackground = true, Name = "lifetime-bound" };
        deadline.Start();
    }
}

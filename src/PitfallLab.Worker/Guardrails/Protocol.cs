namespace PitfallLab.Worker.Guardrails;

/// <summary>
/// What the lab measures, apart from the lesson: the lines the API reads from the worker's stdout (prefixed
/// <c>lab:</c>, beside the host's own log lines) say when the jobs are handed over and which PostgreSQL backend each
/// job holds, so that the API can find them in pg_stat_activity.
/// </summary>
public static class Protocol
{
    public const string Prefix = "lab: ";

    public static void Enqueued(int jobs) => Say($"enqueued {jobs}");

    public static void Connected(int job, int backendPid) => Say($"job {job} backend {backendPid}");

    public static void Completed(int job) => Say($"job {job} completed");

    public static void RecordedPending(int count) => Say($"recorded {count} pending");

    public static void Exiting() => Say("exiting");

    // Console.Out is synchronized: lines from concurrent jobs never interleave.
    private static void Say(string line) => Console.Out.WriteLine(Prefix + line);
}

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

/// <summary>
/// The running totals /lab/stats shows under <c>pitfalls.shutdown-cleanup.{variant}</c>: over a k6 run bad's jobs lost
/// and connections left add up while good's stay 0, and enqueued = completed + recordedPending holds for good.
/// </summary>
public static class ShutdownMetrics
{
    private static readonly PitfallMetrics Metrics = new(ShutdownCleanupPitfall.Id);
    private static readonly LabCounter Runs = Metrics.Counter("runs", "Experiments run and measured (here: a worker started, sent SIGTERM, its rows counted)");
    private static readonly LabCounter RejectedBusy = Metrics.Counter("rejectedBusy", "Experiments refused with a 503 because every worker slot was taken");
    private static readonly LabCounter Enqueued = Metrics.Counter("enqueued", "Jobs handed over to be done");
    private static readonly LabCounter Completed = Metrics.Counter("completed", "Jobs that finished (here: wrote their completed row)");
    private static readonly LabCounter RecordedPending = Metrics.Counter("recordedPending", "Jobs the stop left undone and recorded as 'pending'");
    private static readonly LabCounter Lost = Metrics.Counter("lost", "Jobs acknowledged and neither finished nor recorded: lost without a trace");
    private static readonly LabCounter ConnectionsLeft = Metrics.Counter("connectionsLeft", "Worker backends still in pg_stat_activity after its process was gone");
    private static readonly LabCounter KilledByLab = Metrics.Counter("killedByLab", "Workers that outlived the lab's bound after SIGTERM and were killed");

    public static void Record(string variant, JobsOutcome outcome, StopEvidence stop)
    {
        Runs.Add(variant);
        Enqueued.Add(variant, outcome.Enqueued);
        Completed.Add(variant, outcome.Completed);
        RecordedPending.Add(variant, outcome.RecordedPending);
        Lost.Add(variant, outcome.Lost);
        ConnectionsLeft.Add(variant, stop.ConnectionsLeft);
        KilledByLab.Add(variant, stop.KilledByLab ? 1 : 0);
    }

    public static void Rejected(string variant) => RejectedBusy.Add(variant);
}

namespace PitfallLab.Api.Pitfalls.MissingAwait.Guardrails;

/// <summary>What one save had done when the handler answered.</summary>
public sealed record SaveSoFar(IReadOnlyList<string> Steps, string State);

/// <summary>
/// The lab's notebook for one request's save: which steps ran, how it ended, and whether the client had already been
/// told 2xx by then; each event is counted on the lab meter. It only writes things down — it never waits for the
/// save, so it cannot mend a missing await.
/// </summary>
public sealed class SaveLog(SaveMetrics metrics, string variant)
{
    private readonly Lock gate = new();
    private readonly List<string> steps = [];
    private string state = "not started";
    private bool acknowledged;
    private bool failed;

    /// <summary>This variant's running totals right now.</summary>
    public SaveTotals Totals => metrics.Totals(variant);

    public void Started()
    {
        SaveMetrics.SavesStarted.Add(variant);
        SaveMetrics.Running.Add(variant, 1);
        lock (gate) state = "running";
    }

    public void Step(string step)
    {
        lock (gate) steps.Add(step);
    }

    public void Persisted()
    {
        lock (gate)
        {
            steps.Add("committed");
            state = "persisted";
        }
        SaveMetrics.Persisted.Add(variant);
        SaveMetrics.Running.Add(variant, -1);
    }

    public void Failed(Exception exception)
    {
        bool lost;
        lock (gate)
        {
            failed = true;
            state = $"failed: {exception.GetType().Name}";
            lost = acknowledged;
        }
        metrics.NoteFailure(variant, exception);
        SaveMetrics.Failed.Add(variant);
        if (lost) SaveMetrics.LostAfterAck.Add(variant);
        SaveMetrics.Running.Add(variant, -1); // last: a save no longer running has all its figures in
    }

    /// <summary>The handler is about to answer 2xx: records it, and returns what the save had done by now.</summary>
    public SaveSoFar Acknowledge(bool orderVisible)
    {
        SaveSoFar now;
        bool lost;
        lock (gate)
        {
            acknowledged = true;
            lost = failed;
            now = new SaveSoFar(steps.ToList(), state);
        }
        SaveMetrics.Acknowledged.Add(variant);
        if (orderVisible) SaveMetrics.VisibleAtAck.Add(variant);
        if (lost) SaveMetrics.LostAfterAck.Add(variant);
        return now;
    }
}

namespace PitfallLab.Api.Pitfalls.MissingAwait;

/// <summary>What one save had done when the handler answered.</summary>
public sealed record SaveSoFar(IReadOnlyList<string> Steps, string State);

/// <summary>
/// The lab's notebook for one request's save: which steps ran, how it ended, and whether the client had already been
/// told 2xx by then. It only writes things down — it never waits for the save, so it cannot mend a missing await.
/// </summary>
public sealed class SaveLog(VariantTally tally)
{
    private readonly Lock gate = new();
    private readonly List<string> steps = [];
    private string state = "not started";
    private bool acknowledged;
    private bool failed;

    /// <summary>This variant's running totals right now.</summary>
    public SaveTotals Totals => tally.Snapshot();

    public void Started()
    {
        tally.Started();
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
        tally.Persisted();
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
        tally.Failed(exception, alreadyAcknowledged: lost);
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
        tally.Acknowledged(orderVisible, alreadyFailed: lost);
        return now;
    }
}

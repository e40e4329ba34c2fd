namespace PitfallLab.Api.Pitfalls.FireAndForget.Guardrails;

/// <summary>
/// The lab's counts of charges per variant, on the lab meter (<c>pitfalls.fire-and-forget.{variant}</c> in /lab/stats).
/// <see cref="CountedAsync"/> is the god's-eye view from inside the charge, which real code does not have: it counts
/// every failure that happened, seen by anyone or not. <c>failuresVisible</c> counts those recorded on a job.
/// </summary>
public static class ChargeTally
{
    private static readonly PitfallMetrics Metrics = new(FireAndForgetPitfall.Id);
    public static readonly LabCounter Accepted = Metrics.Counter("accepted", "Charges answered 202 Accepted");
    public static readonly LabCounter Rejected = Metrics.Counter("rejected", "Charges refused with a 503 because the queue was full");
    public static readonly LabCounter Succeeded = Metrics.Counter("succeeded", "Charges that ran to the end and wrote their paid order");
    public static readonly LabCounter FailuresHappened = Metrics.Counter("failuresHappened", "Charges that failed, counted inside the charge itself");
    public static readonly LabCounter FailuresVisible = Metrics.Counter("failuresVisible", "Failed charges recorded where a client can see them (job status and log)");

    /// <summary>Runs one charge of <paramref name="variant"/>, counting how it ended; a cancelled one counts as neither.</summary>
    public static async Task<T> CountedAsync<T>(string variant, Func<Task<T>> charge)
    {
        try
        {
            var result = await charge();
            Succeeded.Add(variant);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FailuresHappened.Add(variant);
            throw;
        }
    }

    public static ChargeFigures Figures(LabMetricsListener stats, string variant)
    {
        long Read(ILabInstrument counter) => stats.Value(counter, variant);
        return new(Read(Accepted), Read(Rejected), Read(Succeeded), Read(FailuresHappened), Read(FailuresVisible));
    }

    /// <summary>Every key at 0 from startup, so that /lab/stats (and k6's print of it) shows all five before any charge.</summary>
    public static void Publish()
    {
        foreach (var counter in new[] { Accepted, Rejected, Succeeded, FailuresHappened, FailuresVisible })
        {
            counter.Add("bad", 0);
            counter.Add("good", 0);
        }
    }

    /// <summary>On both handlers: a 202 counts as accepted, a 503 (queue full) as rejected.</summary>
    public static RouteHandlerBuilder CountsCharges(this RouteHandlerBuilder endpoint, string variant) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var answered = result is INestedHttpResult nested ? nested.Result : result;
            if (answered is IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted }) Accepted.Add(variant);
            else if (answered is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable }) Rejected.Add(variant);
            return result;
        });
}

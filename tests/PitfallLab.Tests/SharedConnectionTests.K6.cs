namespace PitfallLab.Tests;

/// <summary>The k6 script's scenario, replayed at its own defaults: every variant at the same arrival rate.</summary>
public sealed partial class SharedConnectionTests
{
    [Fact]
    public async Task AtTheK6ScriptsRateGoodAndBatchedMeetTheObjectiveAndBadFailsItsItemErrorThreshold()
    {
        var k6 = K6Defaults.Of("shared-connection");
        const double seconds = 3;
        var runs = new Dictionary<string, RateRun>();
        foreach (var variant in new[] { "good", "bad", "batched" })
            runs[variant] = await AtRateAsync(variant, k6["LOOKUPS"], k6["RATE"], seconds);
        foreach (var run in runs.Values)
            output.WriteLine($"k6 defaults, {k6["RATE"]}/s for {seconds} s: {run}");
        // Good once answered a 500 here (the pool meter's race, LabTests): when any answer is not a 200, keep the API's log.
        if (runs.Values.Any(r => r.Load.Statuses.Any(st => st != HttpStatusCode.OK)))
            lab.Api.ShowOutput(output);

        // Every request answered is counted once in /lab/stats, with all its lookups.
        foreach (var run in runs.Values)
        {
            var answered = run.Load.Statuses.Count(s => s == HttpStatusCode.OK);
            Assert.Equal((answered, answered * k6["LOOKUPS"]), (run.Totals.Requests, run.Totals.Items));
        }
        // The script's objective: item_errors rate < 1%, p95 below SLO_P95_MS, every status 2xx.
        foreach (var fine in new[] { runs["good"], runs["batched"] })
        {
            Assert.Equal(0, fine.Totals.ItemsFailed);
            Assert.All(fine.Load.Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.True(fine.Load.P95 < k6["SLO_P95_MS"], $"{fine.Variant} p95 {fine.Load.P95:F0} ms");
        }
        Assert.True(runs["bad"].Totals.ItemErrorRate >= 0.5, $"bad should fail most lookups: {runs["bad"]}");
        Assert.Equal(runs["bad"].Totals.ItemsFailed, runs["bad"].Totals.CommandsRefused);
    }

    private sealed record RateRun(string Variant, LoadResult Load, LookupTotals Totals)
    {
        public override string ToString() => $"{Variant,-8} {Totals}; {Load}";
    }

    /// <summary>Like k6's constant-arrival-rate; what the lookups did is read from the lab's meter, as a dashboard would.</summary>
    private async Task<RateRun> AtRateAsync(string variant, int lookups, int rate, double seconds)
    {
        var before = await TotalsAsync(lab.Api, variant);
        var load = await Load.AtRateAsync(lab.Api.Client, $"{Root}/{variant}?lookups={lookups}&firstUserId=301", rate, seconds);
        return new RateRun(variant, load, (await TotalsAsync(lab.Api, variant)).Since(before));
    }
}

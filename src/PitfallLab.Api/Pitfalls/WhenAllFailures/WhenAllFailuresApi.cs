using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.WhenAllFailures.Guardrails;
using FanOutAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<PitfallLab.Api.Lab.Observation<
        PitfallLab.Api.Pitfalls.WhenAllFailures.FetchResult, PitfallLab.Api.Pitfalls.WhenAllFailures.FanOutEvidence>>,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;

namespace PitfallLab.Api.Pitfalls.WhenAllFailures;

/// <summary>
/// Pitfall 3: what <c>Task.WhenAll</c> does with failures. The same job three ways: fetch <c>count</c>
/// users from the backend in parallel, some of which fail.
/// </summary>
public static class WhenAllFailuresApi
{
    private const string Id = WhenAllFailuresPitfall.Id;

    public static async Task<FanOutAnswer> Bad(
        [AsParameters] WhenAllFailuresKnobs knobs, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "bad");
        var fanOut = new UserFanOut(backend, knobs);
        var tasks = fanOut.Start(ct);
        try
        {
            // Waits for every sibling, then rethrows the first failure only; the users that arrived go with it.
            // No analyzer flags this line (hence no #pragma): it compiles clean and looks right.
            var users = await Task.WhenAll(tasks);
            return Answer(watch, fanOut, new FetchResult(users, []));
        }
        catch (ItemFailedException first)
        {
            return Answer(watch, fanOut, new FetchResult([], [first.Error]), failed: true);
        }
    }

    public static async Task<FanOutAnswer> Good(
        [AsParameters] WhenAllFailuresKnobs knobs, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "good");
        var fanOut = new UserFanOut(backend, knobs);
        var tasks = fanOut.Start(ct);
        var result = await SettleAsync(tasks);
        return Answer(watch, fanOut, result);
    }

    /// <summary>All-or-nothing done on purpose: stop the siblings at the first failure instead of waiting for them.</summary>
    public static async Task<FanOutAnswer> FailFast(
        [AsParameters] WhenAllFailuresKnobs knobs, BackendClient backend, CancellationToken ct)
    {
        using var watch = Watch.Start(Id, "failfast");
        var fanOut = new UserFanOut(backend, knobs);
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = fanOut.Start(siblings.Token, cancelOnFailure: siblings);
        var result = await SettleAsync(tasks);
        var failed = result.Errors.Count > 0;
        return Answer(watch, fanOut, failed ? result with { Items = [] } : result, failed);
    }

    /// <summary>asyncio's gather(return_exceptions=True): await each task on its own, keep its user or its error, throw nothing.</summary>
    private static async Task<FetchResult> SettleAsync(IEnumerable<Task<BackendUser>> tasks)
    {
        List<BackendUser> items = [];
        List<ItemError> errors = [];
        foreach (var task in tasks)
        {
            try { items.Add(await task); }
            catch (ItemFailedException failure) { errors.Add(failure.Error); }
            catch (OperationCanceledException) { } // a cancelled sibling did not fail: evidence.callsCancelled counts it
        }
        return new FetchResult(items, errors);
    }

    /// <summary>
    /// 200 with the observation, or a 502 ProblemDetails that still carries the observation's fields, so the
    /// failed request shows what was thrown away.
    /// </summary>
    private static FanOutAnswer Answer(Watch watch, UserFanOut fanOut, FetchResult result, bool failed = false)
    {
        var evidence = fanOut.Evidence(result);
        WhenAllFailuresMetrics.Record(watch.Variant, failed, evidence);
        var observation = watch.Finish(result, evidence);
        if (!failed)
            return TypedResults.Ok(observation);

        return TypedResults.Problem(
            title: $"Fetching {evidence.Requested} users failed",
            detail: string.Join("; ", result.Errors.Select(e => $"user {e.Id}: {e.Error}")),
            statusCode: StatusCodes.Status502BadGateway,
            extensions: new Dictionary<string, object?>
            {
                ["pitfall"] = observation.Pitfall,
                ["variant"] = observation.Variant,
                ["elapsedMs"] = observation.ElapsedMs,
                ["result"] = observation.Result,
                ["evidence"] = observation.Evidence,
                ["runtime"] = observation.Runtime,
            });
    }
}

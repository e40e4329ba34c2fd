using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PitfallLab.Backend.Stats;

namespace PitfallLab.Backend.Simulation;

/// <summary>Runs one simulated call: concurrency cap, deterministic or random failure, delay.</summary>
/// <remarks>
/// Everything here awaits and nothing blocks: the backend must stay fast while the API under test
/// misbehaves, otherwise a pitfall's symptom could come from the backend instead of the API.
/// </remarks>
public sealed class Simulator(BackendStats stats, IOptions<SimulatorOptions> options, TimeProvider time)
{
    public async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> RunAsync<T>(
        string rawId, SimulationKnobs knobs, HttpContext http, Func<int, int, T> respond)
    {
        // Counted on arrival, before validation or the cap check, so that a caller fanning out
        // without a bound sees in maxInFlight how far above the cap it pushed, rejected calls included.
        var arrivals = stats.Arrive();
        try
        {
            var result = await SimulateAsync(arrivals, rawId, knobs, http, respond);
            stats.Record(((IStatusCodeHttpResult)result.Result).StatusCode ?? StatusCodes.Status200OK);
            return result;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller left mid-delay, so nobody waits for an answer. UseExceptionHandler recognises an
            // aborted request: it logs at Debug and sets 499 instead of writing a 500.
            stats.RecordAborted();
            throw;
        }
        finally
        {
            stats.Leave();
        }
    }

    private async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> SimulateAsync<T>(
        long arrivals, string rawId, SimulationKnobs knobs, HttpContext http, Func<int, int, T> respond)
    {
        if (!knobs.TryParse(rawId, out var plan, out var errors))
        {
            // detail repeats the messages for callers that log only the detail.
            return TypedResults.ValidationProblem(
                errors,
                detail: string.Join(" ", errors.Values.SelectMany(messages => messages)),
                title: "Invalid simulation knobs");
        }

        var cap = plan.Cap ?? options.Value.ConcurrencyCap;
        if (arrivals > cap)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(
                title: "Too many requests",
                detail: $"concurrency cap {cap} exceeded: {arrivals} in flight",
                statusCode: StatusCodes.Status429TooManyRequests,
                type: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                extensions: new Dictionary<string, object?> { ["cap"] = cap, ["inFlight"] = arrivals });
        }

        if (Dice.FailureReason(plan) is { } reason)
        {
            await DelayAsync(plan.FailAfterMs, http.RequestAborted);
            return SimulatedFailure(plan, reason);
        }

        var delayMs = plan.DelayMs + Dice.Jitter(plan);
        await DelayAsync(delayMs, http.RequestAborted);
        return TypedResults.Ok(respond(plan.Id, delayMs));
    }

    private Task DelayAsync(int milliseconds, CancellationToken cancellationToken) =>
        milliseconds == 0
            ? Task.CompletedTask
            : Task.Delay(TimeSpan.FromMilliseconds(milliseconds), time, cancellationToken);

    private static ProblemHttpResult SimulatedFailure(SimulationPlan plan, string reason)
    {
        var detail = reason == "failIds"
            ? $"id {plan.Id} is in failIds"
            : string.Create(CultureInfo.InvariantCulture, $"failRate {plan.FailRate} hit for id {plan.Id}");
        return TypedResults.Problem(
            title: "Simulated failure",
            detail: detail,
            statusCode: StatusCodes.Status500InternalServerError,
            extensions: new Dictionary<string, object?> { ["id"] = plan.Id, ["reason"] = reason });
    }
}

using Microsoft.AspNetCore.Http.HttpResults;

namespace PitfallLab.Backend.Stats;

public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stats").WithTags("Stats");

        group.MapGet("/", GetStats)
            .WithName("GetStats")
            .WithSummary("What the callers did to the simulated endpoints")
            .WithDescription("""
                Counters for /users and /work since the last reset. inFlight: calls running now.
                maxInFlight: the highest number of simultaneous calls seen, counted on arrival, so it can
                exceed the concurrency cap: that is how an unbounded fan-out shows itself. total: calls
                finished. byStatus: answers by HTTP status code ("200", "400", "429", "500").
                aborted: calls whose client disconnected before the answer (not in byStatus).
                since: when counting started (process start or last reset).
                """);

        group.MapPost("/reset", ResetStats)
            .WithName("ResetStats")
            .WithSummary("Start counting from zero")
            .WithDescription("""
                Zeroes total, byStatus and aborted, sets maxInFlight to the calls running right now and
                since to now, then returns the fresh counters. Reset before a run to measure only that run.
                """);

        return group;
    }

    public static Ok<StatsSnapshot> GetStats(BackendStats stats) => TypedResults.Ok(stats.Snapshot());

    public static Ok<StatsSnapshot> ResetStats(BackendStats stats) => TypedResults.Ok(stats.Reset());
}

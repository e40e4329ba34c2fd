using Microsoft.AspNetCore.Http.HttpResults;

namespace PitfallLab.Backend.Simulation;

/// <summary>The simulated third-party API that the pitfalls call over loopback.</summary>
public static class SimulatedApi
{
    private const string Knobs = """
        Knobs (query string, all optional): delayMs 0..60000 makes the call take that long;
        jitterMs 0..10000 adds a random 0..jitterMs on top; failIds=3,7 makes those ids fail every time;
        failRate 0..1 makes any id fail with that probability, and seed makes that choice (and the jitter)
        repeatable for the same id; failAfterMs 0..60000 delays a failure's answer (by default it fails
        fast); cap 1..100000 overrides the server-wide concurrency cap for this call.
        A failure is a 500 ProblemDetails with extensions id and reason ("failIds" or "failRate").
        More calls in flight than the cap (this one included) get 429 with Retry-After: 1.
        A bad knob gets a 400 ProblemDetails naming it. A caller that disconnects stops the delay.
        """;

    // The routes take {id} without an :int constraint on purpose: /users/abc then reaches validation
    // and gets a 400 naming id, where a constraint would answer a 404 that explains nothing.
    public static RouteGroupBuilder MapSimulatedApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Simulated third-party API");

        group.MapGet("/users/{id}", GetUser)
            .WithName("GetUser")
            .WithSummary("A user, derived from the id")
            .WithDescription($$"""
                Returns { id, name: "User 42", email: "user42@example.test", tier } where tier is free,
                pro or enterprise by id % 3. The stand-in for a third-party lookup that a pitfall fans out to.

                {{Knobs}}
                """)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        group.MapGet("/work/{id}", GetWork)
            .WithName("GetWork")
            .WithSummary("A generic unit of work that takes delayMs")
            .WithDescription($$"""
                Returns { id, delayMs, completedAt } where delayMs is the time actually spent, jitter
                included. Use it to give a pitfall slow, flaky or rate-limited work to do.

                {{Knobs}}
                """)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        return group;
    }

    public static Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> GetUser(
        string id, [AsParameters] SimulationKnobs knobs, Simulator simulator, HttpContext http) =>
        simulator.RunAsync(id, knobs, http, static (userId, _) => UserDto.For(userId));

    public static Task<Results<Ok<WorkDto>, ValidationProblem, ProblemHttpResult>> GetWork(
        string id, [AsParameters] SimulationKnobs knobs, Simulator simulator, TimeProvider time, HttpContext http) =>
        simulator.RunAsync(id, knobs, http, (workId, delayMs) => new WorkDto(workId, delayMs, time.GetUtcNow()));
}

/// <summary>A user of the simulated third-party API, derived from the id alone so callers can check it.</summary>
public sealed record UserDto(int Id, string Name, string Email, string Tier)
{
    private static readonly string[] Tiers = ["free", "pro", "enterprise"];

    // Negative ids are valid route values; keep the modulo non-negative so they map to a tier too.
    public static UserDto For(int id) =>
        new(id, $"User {id}", $"user{id}@example.test", Tiers[((id % 3) + 3) % 3]);
}

/// <summary>A generic unit of work: <see cref="DelayMs"/> is the delay actually spent, jitter included.</summary>
public sealed record WorkDto(int Id, int DelayMs, DateTimeOffset CompletedAt);

using Microsoft.AspNetCore.Http.HttpResults;

namespace PitfallLab.Backend.Ops;

/// <summary>The endpoints that are about the process rather than the simulated API.</summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", GetHealth)
            .WithTags("Health")
            .WithName("GetHealth")
            .WithSummary("Is the backend up")
            .WithDescription("Answers 200 { status: \"Healthy\" } as soon as the process serves requests. Never slowed by the knobs.");

        // A person who opens the bare address lands on the UI rather than on a 404.
        routes.MapGet("/", RedirectToSwagger)
            .WithName("RedirectToSwagger")
            .WithSummary("Redirects to Swagger UI")
            .WithDescription("Sends a browser to /swagger, where every endpoint and knob is described.")
            .ExcludeFromDescription();

        return routes;
    }

    public static Ok<HealthDto> GetHealth() => TypedResults.Ok(new HealthDto("Healthy"));

    public static RedirectHttpResult RedirectToSwagger() => TypedResults.Redirect("/swagger");
}

public sealed record HealthDto(string Status);

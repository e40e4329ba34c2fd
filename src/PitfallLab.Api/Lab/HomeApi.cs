namespace PitfallLab.Api.Lab;

public static class HomeApi
{
    /// <summary>A browser lands on Swagger UI; curl gets a map of where to go.</summary>
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpRequest request, PitfallCatalog catalog) =>
                request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
                    ? Results.Redirect("/swagger")
                    : Results.Ok(new
                    {
                        name = "PitfallLab",
                        swagger = "/swagger",
                        live = "/live",
                        catalog = "/pitfalls",
                        health = "/health",
                        labStats = "/lab/stats",
                        pitfalls = catalog.All.Select(e => new { e.Id, e.Title, routes = e.Routes.Select(r => $"{r.Method} {r.Path}") }),
                    }))
            .ExcludeFromDescription();
        return routes;
    }
}

namespace PitfallLab.Api.Lab;

public static class CatalogApi
{
    public static RouteGroupBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/pitfalls").WithTags("00 catalog");

        group.MapGet("/", List).Describe("ListPitfalls", "The pitfall catalog",
            "Every implemented pitfall: its asyncio original, the .NET mechanism, symptom, fix, the analyzer rules that flag the bad code, its routes, its k6 script and the metric that shows the difference.");

        group.MapGet("/{id}", Get).Describe("GetPitfall", "One catalog entry",
            "One pitfall by its kebab-case id, for example `blocking-io`. Unknown ids answer 404 ProblemDetails.");

        return group;
    }

    public static Ok<IReadOnlyList<PitfallEntry>> List(PitfallCatalog catalog) => TypedResults.Ok(catalog.All);

    public static Results<Ok<PitfallEntry>, ProblemHttpResult> Get(string id, PitfallCatalog catalog) =>
        catalog.Find(id) is { } entry
            ? TypedResults.Ok(entry)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown pitfall",
                detail: $"No pitfall has the id '{id}'. Known ids: {string.Join(", ", catalog.All.Select(e => e.Id))}.");
}

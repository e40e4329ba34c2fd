using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PitfallLab.Api.Lab;

/// <summary>Gives every pitfall's Swagger tag its lesson, so Swagger UI teaches before anyone clicks.</summary>
public sealed class CatalogTags : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "PitfallLab";
        document.Info.Description = "Ten classic async pitfalls, bad beside good, against a real PostgreSQL and a real downstream service. Click bad, then good, and compare the evidence. Under load, watch [/live](/live): the thread pool, each variant's rate and p95, the pools and the runtime's own starvation reports, updated 4 times a second from threads the pool cannot starve.";
        Describe(document, "00 catalog", "What each pitfall teaches, and where to look.");
        foreach (var pitfall in PitfallModules.All)
            Describe(document, pitfall.Entry.Tag, pitfall.Entry.Lesson);
        Describe(document, "zz lab", "Health, live figures and reset: the lab recovers by itself, reset makes it start clean.");
        return Task.CompletedTask;
    }

    // The generator has already added each tag by name only; replace it with the described one.
    private static void Describe(OpenApiDocument document, string name, string description)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var existing in document.Tags.Where(t => t.Name == name).ToList())
            document.Tags.Remove(existing);
        document.Tags.Add(new OpenApiTag { Name = name, Description = description });
    }
}

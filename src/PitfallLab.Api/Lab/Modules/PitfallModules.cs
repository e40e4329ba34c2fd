using System.Reflection;

namespace PitfallLab.Api.Lab.Modules;

/// <summary>Finds the pitfall modules (every <see cref="IPitfall"/> in this assembly), in the spec's order.</summary>
public static class PitfallModules
{
    public static IReadOnlyList<IPitfall> All { get; } = typeof(IPitfall).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPitfall).IsAssignableFrom(t))
        .Select(t => (IPitfall)Activator.CreateInstance(t)!)
        .OrderBy(p => p.Entry.Number)
        .ToList();

    public static IServiceCollection AddPitfalls(this IServiceCollection services)
    {
        foreach (var pitfall in All)
            pitfall.AddServices(services);
        return services.AddSingleton<PitfallCatalog>();
    }

    /// <summary>One group per pitfall, <c>/pitfalls/{id}</c> with its tag; each endpoint is named after its route unless it names itself.</summary>
    public static IEndpointRouteBuilder MapPitfalls(this IEndpointRouteBuilder routes)
    {
        foreach (var pitfall in All)
        {
            var entry = pitfall.Entry;
            var group = routes.MapGroup($"/pitfalls/{entry.Id}").WithTags(entry.Tag).WithMetadata(new PitfallRouteMetadata(entry.Id));
            ((IEndpointConventionBuilder)group).Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder route && !endpoint.Metadata.OfType<IEndpointNameMetadata>().Any())
                    endpoint.Metadata.Add(new EndpointNameMetadata(PitfallRouteMetadata.EndpointName(entry.Id, route.RoutePattern.RawText)));
            });
            pitfall.Map(group);
        }
        return routes;
    }
}

/// <summary>Endpoint metadata: this endpoint belongs to pitfall <see cref="Pitfall"/> (the catalog lists it among its routes).</summary>
public sealed record PitfallRouteMetadata(string Pitfall)
{
    /// <summary>The route's first segment after <c>/pitfalls/{id}/</c>: <c>bad</c>, <c>good</c>, <c>orders</c> for <c>orders/{id}</c>.</summary>
    public static string Variant(string pitfall, string? rawRoute)
    {
        var rest = (rawRoute ?? "").TrimStart('/');
        var prefix = $"pitfalls/{pitfall}/";
        if (rest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) rest = rest[prefix.Length..];
        return rest.Split('/')[0];
    }

    /// <summary><c>blocking-io</c> + <c>/pitfalls/blocking-io/bad</c>: <c>BlockingIoBad</c>.</summary>
    public static string EndpointName(string pitfall, string? rawRoute) =>
        Pascal(pitfall) + Pascal(Variant(pitfall, rawRoute));

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}

using Microsoft.AspNetCore.Http.Metadata;

namespace PitfallLab.Api.Lab;

/// <summary>
/// The implemented pitfalls, in the spec's order: each module's lesson with the routes it really mapped
/// (method, path and summary read from the endpoints, so the catalog cannot drift from the API).
/// </summary>
public sealed class PitfallCatalog(EndpointDataSource endpoints)
{
    private readonly Lazy<IReadOnlyList<PitfallEntry>> all = new(() => Build(endpoints));

    public IReadOnlyList<PitfallEntry> All => all.Value;

    public PitfallEntry? Find(string id) =>
        All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    private static List<PitfallEntry> Build(EndpointDataSource endpoints)
    {
        var routes = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pitfall: e.Metadata.GetMetadata<PitfallRouteMetadata>()?.Pitfall))
            .Where(e => e.Pitfall is not null)
            .ToLookup(e => e.Pitfall!, e => Route(e.Pitfall!, e.Endpoint));
        return PitfallModules.All.Select(p => p.Entry with { Routes = routes[p.Entry.Id].ToList() }).ToList();
    }

    private static PitfallRoute Route(string pitfall, RouteEndpoint endpoint)
    {
        var raw = endpoint.RoutePattern.RawText ?? "";
        var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
        var summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary ?? "";
        return new(PitfallRouteMetadata.Variant(pitfall, raw), method, "/" + raw.TrimStart('/'), summary);
    }
}

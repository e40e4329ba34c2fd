namespace PitfallLab.Api.Lab;

public static class EndpointText
{
    /// <summary>What Swagger UI shows for an endpoint: its operation id, one line, and the lesson or explanation.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint.WithName(name).WithSummary(summary).WithDescription(description);
}

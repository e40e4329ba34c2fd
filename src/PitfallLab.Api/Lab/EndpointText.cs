namespace PitfallLab.Api.Lab;

public static class EndpointText
{
    /// <summary>What Swagger UI shows for an endpoint: its operation id, one line, and the lesson or explanation.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint.WithName(name).WithSummary(summary).WithDescription(description);

    /// <summary>
    /// A variant's Swagger text from its lesson alone: the lesson's first line is the summary (also the catalog's
    /// route summary), the rest its description.
    /// </summary>
    public static RouteHandlerBuilder WithLesson(this RouteHandlerBuilder endpoint, string lesson)
    {
        var lines = lesson.ReplaceLineEndings("\n").Split('\n', 2);
        return endpoint.WithSummary(lines[0].Trim()).WithDescription(lines.Length > 1 ? lines[1].Trim() : "");
    }
}

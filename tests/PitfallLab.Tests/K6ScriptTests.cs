using System.Text.RegularExpressions;

namespace PitfallLab.Tests;

/// <summary>k6 cannot run here, so its scripts are type-checked by tsc in CI and held to the API's real routes here.</summary>
[Collection(LabCollection.Name)]
public sealed partial class K6ScriptTests(LabFixture lab)
{
    private static string K6Dir => Path.Combine(RepoPaths.Root, "k6");

    [Fact]
    public async Task EveryRouteAK6ScriptCallsExistsInTheApisOpenApiDocument()
    {
        var document = await lab.Api.Client.GetJsonAsync("/openapi/v1.json");
        var templates = document.GetProperty("paths").EnumerateObject()
            .Select(p => new Regex("^" + Regex.Replace(Regex.Escape(p.Name), @"\\\{[^}]+}", "[^/]+") + "$"))
            .ToList();

        var scripts = Directory.GetFiles(K6Dir, "*.js", SearchOption.AllDirectories)
            .Where(f => !f.Contains("node_modules", StringComparison.Ordinal));
        var routes = scripts
            .SelectMany(f => RouteLiteral().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Route: m.Groups["route"].Value)))
            .ToList();

        Assert.NotEmpty(routes);
        var unknown = routes.Where(r => !templates.Any(t => t.IsMatch(r.Route))).ToList();
        Assert.True(unknown.Count == 0, "routes the API lacks: " + string.Join(", ", unknown.Select(u => $"{u.File}: {u.Route}")));
    }

    [Fact]
    public async Task EveryCatalogEntryHasItsK6Script()
    {
        var catalog = await lab.Api.Client.GetJsonAsync("/pitfalls");
        foreach (var entry in catalog.EnumerateArray())
        {
            var script = entry.GetProperty("k6Script").GetString()!;
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, script)), $"{script} is missing");
        }
    }

    // A route literal: a quoted string starting with one of the API's route roots, up to the quote or a query string.
    [GeneratedRegex("""["'`](?<route>/(?:pitfalls|lab|health)[^"'`?\s]*)["'`?]""")]
    private static partial Regex RouteLiteral();
}

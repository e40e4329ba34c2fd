namespace PitfallLab.Api.Lab;

/// <summary>What a pitfall module says about itself: the lesson its Swagger tag and catalog entry teach.</summary>
public sealed record PitfallLesson(
    string Id,
    int Number,
    string Title,
    string AsyncioOriginal,
    string DotnetMechanism,
    string Symptom,
    string Fix,
    IReadOnlyList<string> AnalyzerRules,
    string Metric)
{
    /// <summary>The Swagger UI tag: numbered so the tags sort in the catalog's order.</summary>
    public string Tag => $"{Number:00} {Id}";

    public string K6Script => $"k6/pitfalls/{Id}.js";

    public string Markdown => $"""
        **{Title}**

        *asyncio original:* {AsyncioOriginal}

        *.NET mechanism:* {DotnetMechanism}

        *Symptom:* {Symptom}

        *Fix:* {Fix}

        *Flagged by:* {(AnalyzerRules.Count == 0 ? "no analyzer rule" : string.Join(", ", AnalyzerRules))} · *Watch:* {Metric} · *Load:* `k6 run {K6Script}`
        """;
}

/// <summary>One pitfall of the catalog, as GET /pitfalls/{id} shows it: its lesson, plus the routes its module mapped.</summary>
public sealed record PitfallEntry(
    string Id,
    int Number,
    string Title,
    string AsyncioOriginal,
    string DotnetMechanism,
    string Symptom,
    string Fix,
    IReadOnlyList<string> AnalyzerRules,
    IReadOnlyList<PitfallRoute> Routes,
    string K6Script,
    string Metric)
{
    public static PitfallEntry From(PitfallLesson l, IReadOnlyList<PitfallRoute> routes) =>
        new(l.Id, l.Number, l.Title, l.AsyncioOriginal, l.DotnetMechanism, l.Symptom, l.Fix, l.AnalyzerRules, routes, l.K6Script, l.Metric);
}

public sealed record PitfallRoute(string Variant, string Method, string Path, string Summary);

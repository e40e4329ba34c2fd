namespace PitfallLab.Api.Lab;

/// <summary>
/// One pitfall of the catalog, as GET /pitfalls/{id} shows it and as its Swagger tag explains it. A module writes
/// the lesson; the catalog adds the <see cref="Routes"/> the module really mapped.
/// </summary>
public sealed record PitfallEntry(
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
    public IReadOnlyList<PitfallRoute> Routes { get; init; } = [];

    public string K6Script => $"k6/pitfalls/{Id}.js";

    /// <summary>The Swagger UI tag: numbered so the tags sort in the catalog's order.</summary>
    public string Tag => $"{Number:00} {Id}";

    public string Lesson => $"""
        **{Title}**

        *asyncio original:* {AsyncioOriginal}

        *.NET mechanism:* {DotnetMechanism}

        *Symptom:* {Symptom}

        *Fix:* {Fix}

        *Flagged by:* {(AnalyzerRules.Count == 0 ? "no analyzer rule" : string.Join(", ", AnalyzerRules))} · *Watch:* {Metric} · *Load:* `k6 run {K6Script}`
        """;
}

public sealed record PitfallRoute(string Variant, string Method, string Path, string Summary);

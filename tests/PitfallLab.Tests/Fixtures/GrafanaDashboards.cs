using System.Text.RegularExpressions;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// One PromQL expression of a dashboard: a panel's target, or a query variable's <c>label_values(metric, label)</c>
/// as <c>group by (label) (metric)</c>, whose series must then carry <paramref name="Label"/>.
/// </summary>
public sealed record DashboardQuery(string Dashboard, string Where, string Expr, string? Label = null)
{
    public override string ToString() => $"{Dashboard} / {Where}: {Expr}";
}

/// <summary>The dashboards as files (ops/grafana/dashboards/*.json), read the way Grafana reads them, with no Grafana.</summary>
public static partial class GrafanaDashboards
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "ops", "grafana", "dashboards");

    public static IReadOnlyList<(string File, JsonElement Json)> Load() =>
        Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), JsonDocument.Parse(File.ReadAllText(f)).RootElement.Clone()))
            .ToList();

    /// <summary>Every panel target's expr (rows' nested panels too) and every query variable's query.</summary>
    public static IEnumerable<DashboardQuery> Queries(string file, JsonElement dashboard)
    {
        foreach (var panel in Panels(dashboard))
            if (panel.TryGetProperty("targets", out var targets))
                foreach (var target in targets.EnumerateArray())
                    if (target.TryGetProperty("expr", out var expr))
                        yield return new(file, $"panel \"{panel.GetProperty("title").GetString()}\" {target.GetProperty("refId").GetString()}", expr.GetString()!);

        foreach (var variable in Variables(dashboard).Where(v => v.GetProperty("type").GetString() == "query"))
        {
            var query = variable.GetProperty("query");
            var text = query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString()! : query.GetString()!;
            // label_values(metric{...}, label): Grafana asks for the label's values on the metric's series; the series must exist.
            var labelValues = LabelValues().Match(text);
            var where = $"variable ${variable.GetProperty("name").GetString()}";
            yield return labelValues.Success
                ? new(file, where, $"group by ({labelValues.Groups["label"].Value}) ({labelValues.Groups["metric"].Value})", labelValues.Groups["label"].Value)
                : new(file, where, text);
        }
    }

    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested)) // a collapsed row keeps its panels inside it
                foreach (var inner in nested.EnumerateArray())
                    yield return inner;
        }
    }

    public static IEnumerable<JsonElement> Variables(JsonElement dashboard) =>
        dashboard.TryGetProperty("templating", out var t) ? t.GetProperty("list").EnumerateArray() : [];

    /// <summary>
    /// What Grafana sends for <paramref name="expr"/>: its interval macros as a 1 s scrape gives them, each variable as
    /// <paramref name="values"/> says (a multi-value selection is Grafana's regex <c>(a|b)</c>). An unknown variable stays,
    /// and Prometheus then rejects the expression, which names it.
    /// </summary>
    public static string Expand(string expr, IReadOnlyDictionary<string, string> values)
    {
        var expanded = expr
            .Replace("$__rate_interval", "15s", StringComparison.Ordinal)
            .Replace("${__rate_interval}", "15s", StringComparison.Ordinal)
            .Replace("$__interval", "1s", StringComparison.Ordinal)
            .Replace("$__range", "5m", StringComparison.Ordinal);
        foreach (var (name, value) in values.OrderByDescending(v => v.Key.Length)) // $pitfall before a $pit
            expanded = expanded.Replace("${" + name + "}", value, StringComparison.Ordinal).Replace("$" + name, value, StringComparison.Ordinal);
        return expanded;
    }

    [GeneratedRegex(@"^\s*label_values\(\s*(?<metric>[^,]+?)\s*,\s*(?<label>\w+)\s*\)\s*$")]
    private static partial Regex LabelValues();
}

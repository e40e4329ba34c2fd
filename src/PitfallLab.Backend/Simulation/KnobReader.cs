using System.Globalization;

namespace PitfallLab.Backend.Simulation;

/// <summary>Parses raw knob strings and collects one error per bad knob, keyed by its name.</summary>
/// <remarks>An empty value counts as absent, so that a blank Swagger UI field means "use the default".</remarks>
internal sealed class KnobReader
{
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public int? RequiredInt(string name, string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? Fail<int>(name, $"{name} is required.") : Int(name, raw);

    public int? Int(string name, string? raw) =>
        TryParseInt(raw, out var value) ? value : Fail<int>(name, $"{name} must be an integer.");

    public int? Int(string name, string? raw, int min, int max)
    {
        if (!TryParseInt(raw, out var value))
        {
            return Fail<int>(name, $"{name} must be an integer between {min} and {max}.");
        }

        return value is null || (value >= min && value <= max) ? value
            : Fail<int>(name, $"{name} must be between {min} and {max}.");
    }

    public double? Double(string name, string? raw, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        // The negated comparison also rejects NaN, which double.TryParse accepts.
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return Fail<double>(name, Invariant($"{name} must be a number between {min} and {max}."));
        }

        return value >= min && value <= max ? value
            : Fail<double>(name, Invariant($"{name} must be between {min} and {max}."));
    }

    public IReadOnlyList<int> IdList(string name, string? raw, int maxCount)
    {
        var ids = new List<int>();
        if (string.IsNullOrWhiteSpace(raw))
        {
            return ids;
        }

        // Repeated parameters (failIds=3&failIds=7) arrive joined by commas, so they work too.
        foreach (var part in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
            {
                Errors[name] = [$"{name} must be comma-separated integers such as 3,7; '{Truncate(part)}' is not an integer."];
                return [];
            }

            if (ids.Count == maxCount)
            {
                Errors[name] = [$"{name} must list at most {maxCount} ids."];
                return [];
            }

            ids.Add(id);
        }

        return ids;
    }

    /// <summary>False only for a value that is present but not an int (absent yields true and null).</summary>
    private static bool TryParseInt(string? raw, out int? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        if (!int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private T? Fail<T>(string name, string message) where T : struct
    {
        Errors[name] = [message];
        return null;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    // Echoing caller input back is useful, echoing a 10 kB string is not.
    private static string Truncate(string text) => text.Length <= 20 ? text : string.Concat(text.AsSpan(0, 20), "...");
}

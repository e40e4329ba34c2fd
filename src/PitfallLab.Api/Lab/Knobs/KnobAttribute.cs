using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace PitfallLab.Api.Lab.Knobs;

/// <summary>
/// A numeric knob, written once: its range and meaning here, its default as the parameter's default, its name as the
/// property's (camelCase on the wire: <c>DelayMs</c> is <c>delayMs</c>). The 400 message ("delayMs must be between 0
/// and 5000.") and the OpenAPI text (<see cref="KnobDocs"/>) are made from it.
/// </summary>
/// <example><c>[property: Knob(0, 5000, "How long the backend takes to answer, in ms.")] int DelayMs = 100</c></example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class KnobAttribute : RangeAttribute, IKnob
{
    public KnobAttribute(int minimum, int maximum, string description) : base(minimum, maximum) => Description = description;

    public KnobAttribute(double minimum, double maximum, string description) : base(minimum, maximum) => Description = description;

    /// <summary>For decimal knobs: <c>Knob(typeof(decimal), "0.01", "10000", "...")</c>.</summary>
    public KnobAttribute(Type type, string minimum, string maximum, string description) : base(type, minimum, maximum)
    {
        Description = description;
        ParseLimitsInInvariantCulture = ConvertValueInInvariantCulture = true;
    }

    public string Description { get; }

    public string Rule => $"between {Format(Minimum)} and {Format(Maximum)}";

    public override string FormatErrorMessage(string name) => $"{KnobName.Of(name)} must be {Rule}.";

    private static string Format(object limit) => Convert.ToString(limit, CultureInfo.InvariantCulture) ?? "";
}

/// <summary>
/// A text knob, written once: the pattern it must match and, in words, what that means (<c>Rule</c>), which
/// makes the 400 message ("failIds must be at most 200 comma-separated ids...").
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TextKnobAttribute(string pattern, string rule, string description) : RegularExpressionAttribute(pattern), IKnob
{
    public string Description { get; } = description;

    public string Rule { get; } = rule;

    /// <summary>The pattern decides for the empty string too (RegularExpressionAttribute alone lets "" through).</summary>
    public override bool IsValid(object? value) =>
        value is "" ? System.Text.RegularExpressions.Regex.IsMatch("", Pattern) : base.IsValid(value);

    public override string FormatErrorMessage(string name) => $"{KnobName.Of(name)} must be {Rule}.";
}

/// <summary>What <see cref="KnobDocs"/> needs of a knob to document it.</summary>
public interface IKnob
{
    string Description { get; }

    /// <summary>The allowed values in words: "between 0 and 5000".</summary>
    string Rule { get; }
}

public static class KnobName
{
    /// <summary>The wire name of a knob from its C# name (or a validation member path): <c>Knobs.DelayMs</c> → <c>delayMs</c>.</summary>
    public static string Of(string name) => ProblemKeys.CamelCase(name[(name.LastIndexOf('.') + 1)..]);
}

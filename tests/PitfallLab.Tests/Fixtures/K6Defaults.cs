using System.Globalization;
using System.Text.RegularExpressions;

namespace PitfallLab.Tests.Fixtures;

/// <summary>A k6 script's numeric DEFAULTS, read from the script itself, so that a test replays what k6 runs.</summary>
public static partial class K6Defaults
{
    public static Dictionary<string, int> Of(string pitfall)
    {
        var file = Path.Combine("k6", "pitfalls", $"{pitfall}.js");
        var block = DefaultsBlock().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, file)));
        Assert.True(block.Success, $"{file} should declare const DEFAULTS = {{ ... }};");
        return NumericKnob().Matches(block.Value)
            .ToDictionary(m => m.Groups["name"].Value, m => int.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"const DEFAULTS = \{(?s:.*?)\};")]
    private static partial Regex DefaultsBlock();

    [GeneratedRegex(@"^\s*(?<name>[A-Z][A-Z0-9_]*): (?<value>\d+),", RegexOptions.Multiline)]
    private static partial Regex NumericKnob();
}

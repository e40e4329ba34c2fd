namespace PitfallLab.Bench.Recovery;

public sealed record BenchOptions(string BaseUrl, int Runs, IReadOnlyList<BadVariant> Variants, double GoodSeconds, string? LabScript)
{
    public static BenchOptions Parse(string[] args)
    {
        var (baseUrl, runs, only, goodSeconds, lab) = ("http://127.0.0.1:8080", 1, (string?)null, 5.0, (string?)null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--base-url": baseUrl = Next().TrimEnd('/'); break;
                case "--runs": runs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--only": only = Next(); break;
                case "--good-seconds": goodSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--lab-down": lab = Next(); break;
                default: throw new ArgumentException($"unknown option {args[i]}: see bench/README.md");
            }
        }
        var names = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var variants = names is null ? BadVariants.All : BadVariants.All.Where(v => names.Contains(v.Name) || names.Contains(v.Pitfall)).ToList();
        if (variants.Count == 0) throw new ArgumentException($"--only {only} names no bad variant; known: {string.Join(", ", BadVariants.All.Select(v => v.Name))}");
        return new(baseUrl, Math.Max(1, runs), variants, goodSeconds, lab);
    }
}

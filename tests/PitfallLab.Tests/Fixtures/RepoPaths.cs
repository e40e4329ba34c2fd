using System.Reflection;

namespace PitfallLab.Tests.Fixtures;

/// <summary>Where the repository and the two services' build outputs are, for the configuration this test assembly was built in.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BuildConfiguration")?.Value ?? "Debug";

    public static string ServiceDll(string project)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", $"{project}.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"{dll} is missing: build the solution first (dotnet test does).", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PitfallLab.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No PitfallLab.sln above {AppContext.BaseDirectory}.");
    }
}

using System.Reflection;
using System.Text;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// The page and its files, embedded in the API's dll (one copy, served by Kestrel at /live and by the live listener):
/// the HTML, its script, and uPlot's dist files with their licence, vendored from the npm package pinned in
/// <c>web/package.json</c> (.ci/run checks the copies equal the package's).
/// </summary>
public sealed class LivePage
{
    public const string Route = "/live";
    public const string StreamRoute = "/live/stream";

    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".LICENSE"] = "text/plain; charset=utf-8",
    };

    private readonly Dictionary<string, (byte[] Body, string Type)> files = new(StringComparer.Ordinal);

    public LivePage(int livePort)
    {
        var assembly = typeof(LivePage).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("live/", StringComparison.Ordinal)))
        {
            var file = name["live/".Length..];
            var body = Read(assembly, name);
            // The page learns the listener's port from the server that sends it (0: use Kestrel's stream).
            if (file == "live.html") body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("{{LIVE_PORT}}", livePort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            files[file == "live.html" ? Route : $"{Route}/{file}"] = (body, Types[Path.GetExtension(file)]);
        }
    }

    /// <summary>The file served at <paramref name="path"/> (<c>/live</c>, <c>/live/live.js</c>...), if any.</summary>
    public (byte[] Body, string Type)? Find(string path) =>
        files.TryGetValue(path.TrimEnd('/') is { Length: > 0 } p ? p : Route, out var file) ? file : null;

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

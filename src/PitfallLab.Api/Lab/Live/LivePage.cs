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
    private string html = "";
    private volatile byte[] page = [];

    /// <summary>
    /// The port the listener really bound, written into the page: 0 until it has, or when it could not (port taken),
    /// so that a page never reads another lab's listener that holds the configured port.
    /// </summary>
    public int ListenerPort
    {
        set => page = Encoding.UTF8.GetBytes(html.Replace("{{LIVE_PORT}}", value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    public LivePage()
    {
        var assembly = typeof(LivePage).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("live/", StringComparison.Ordinal)))
        {
            var file = name["live/".Length..];
            var body = Read(assembly, name);
            if (file == "live.html") html = Encoding.UTF8.GetString(body);
            else files[$"{Route}/{file}"] = (body, Types[Path.GetExtension(file)]);
        }
        ListenerPort = 0;
    }

    /// <summary>The file served at <paramref name="path"/> (<c>/live</c>, <c>/live/live.js</c>...), if any.</summary>
    public (byte[] Body, string Type)? Find(string path)
    {
        var key = path.TrimEnd('/') is { Length: > 0 } p ? p : Route;
        if (key == Route) return (page, Types[".html"]);
        return files.TryGetValue(key, out var file) ? file : null;
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

using System.ComponentModel.DataAnnotations;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// The live page's own listener (section <c>Live</c>): a port served by dedicated threads, so that the page keeps
/// moving while the API's thread pool, which Kestrel runs on, starves. <c>Port = 0</c> switches it off; the page then
/// falls back to Kestrel's SSE endpoint, which starves with the rest.
/// </summary>
public sealed class LiveOptions
{
    [Range(0, 65535)]
    public int Port { get; set; } = 8082;

    /// <summary>The address the listener binds: loopback by default, 0.0.0.0 in a container.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>How often the sampler takes a frame: 4 a second, twice the page's minimum.</summary>
    [Range(50, 2000)]
    public int SampleMs { get; set; } = 250;

    /// <summary>At most this many pages (SSE clients) on the listener, one dedicated thread each.</summary>
    [Range(1, 64)]
    public int MaxClients { get; set; } = 16;
}

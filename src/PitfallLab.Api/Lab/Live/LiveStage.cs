using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Lab.Guardrails;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// Starts what the live page needs, all on dedicated threads: the pool probe, the sampler, and (unless
/// <c>Live:Port</c> is 0) the listener. A port already taken is logged, not fatal: the page falls back to Kestrel.
/// </summary>
public sealed class LiveStage(
    IOptions<LiveOptions> options, IOptions<BackendOptions> backend, LabMetricsListener metrics, ThreadGates gates,
    LatencyWindow latency, LiveFeed feed, LivePage page, ILogger<LiveStage> log) : IHostedService, IDisposable
{
    private PoolProbe? probe;
    private LiveSampler? sampler;
    private LiveServer? server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        probe = new PoolProbe();
        var peek = new BackendPeek(new Uri(backend.Value.BaseUrl.TrimEnd('/') + "/"), TimeSpan.FromMilliseconds(300));
        sampler = new LiveSampler(metrics, gates, latency, probe, peek, feed, TimeSpan.FromMilliseconds(o.SampleMs), log);
        if (o.Port == 0) return Task.CompletedTask;
        try
        {
            server = new LiveServer(IPAddress.Parse(o.Host), o.Port, feed, page, o.MaxClients, log);
            page.ListenerPort = server.Port;
            log.LogInformation("Live page's own listener on http://{Host}:{Port}{Route}", o.Host, server.Port, LivePage.Route);
        }
        catch (SocketException ex)
        {
            log.LogWarning("Live:Port {Port} not available ({Reason}): /live falls back to Kestrel's stream, which starves with the pool", o.Port, ex.Message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        server?.Dispose();
        sampler?.Dispose();
        probe?.Dispose();
        (server, sampler, probe) = (null, null, null);
    }
}

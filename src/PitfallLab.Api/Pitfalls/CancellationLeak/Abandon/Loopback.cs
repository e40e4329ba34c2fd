using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;

/// <summary>The API calling itself over a real socket, so that an abandoned call is a real client disconnect.</summary>
public sealed partial class Loopback(IServer server, IHttpClientFactory clients)
{
    public const string ClientName = "cancellation-leak-loopback";

    public HttpClient Client(HttpContext request)
    {
        var client = clients.CreateClient(ClientName);
        client.BaseAddress = OwnAddress(request);
        return client;
    }

    // The address Kestrel listens on (a wildcard host means every interface, loopback included), else the socket
    // this request came in on. Never the Host header: behind a port mapping it names a port the API cannot reach.
    private Uri OwnAddress(HttpContext request)
    {
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in listening)
        {
            if (Address().Match(address) is not { Success: true } m || m.Groups["scheme"].Value != "http") continue;
            var host = m.Groups["host"].Value;
            if (host is "+" or "*" or "[::]" or "0.0.0.0" or "localhost") host = "127.0.0.1";
            return new Uri($"http://{host}:{m.Groups["port"].Value}/");
        }
        var local = request.Connection.LocalIpAddress;
        var ip = local is null || local.Equals(System.Net.IPAddress.IPv6Any) || local.Equals(System.Net.IPAddress.Any) ? "127.0.0.1"
            : local.IsIPv4MappedToIPv6 ? local.MapToIPv4().ToString()
            : local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return new Uri($"http://{ip}:{request.Connection.LocalPort}/");
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[^\]]*\]|[^:/]+):(?<port>\d+)")]
    private static partial Regex Address();
}

using System.Net.Sockets;
using System.Text;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A backend that answers, but wrongly, over a real loopback socket: a 500 for user 1, a 200 whose JSON is cut short
/// for any other user, a 200 for /health (so the API starts). What the API must answer with a 502.
/// </summary>
public sealed class BrokenBackend : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    private BrokenBackend()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    public static BrokenBackend Start() => new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                _ = Task.Run(() => AnswerAsync(client));
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync() ?? "";
            while (await reader.ReadLineAsync() is { Length: > 0 }) { } // the headers; GETs carry no body
            var (status, body) = requestLine.Split(' ') is [_, var path, ..] ? Choose(path) : ("400 Bad Request", "");
            var response = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        }
    }

    private static (string Status, string Body) Choose(string path) => path switch
    {
        _ when path.StartsWith("/health", StringComparison.Ordinal) => ("200 OK", "{}"),
        _ when path.StartsWith("/users/1?", StringComparison.Ordinal) => ("500 Internal Server Error", """{"title":"boom"}"""),
        _ => ("200 OK", """{"id": 2, "name": "cut sh"""),
    };

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}

using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// The backend's /stats, read on the sampler's thread with a blocking socket and its own timeouts. Not HttpClient:
/// its timeout is a timer, and timers fire on the thread pool, which is what starves; and Send on a pooled
/// connection waits for an async read-ahead (see BackendClient.GetUser). HTTP/1.0, so the answer is not chunked.
/// </summary>
public sealed class BackendPeek(Uri baseUrl, TimeSpan timeout)
{
    public BackendStats? Stats { get; private set; }
    public string? Error { get; private set; }

    public void Read()
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = Ms, SendTimeout = Ms, NoDelay = true };
            // Blocking calls only: an async socket operation completes through the pool on Linux. On loopback a
            // connect is answered at once (accepted or refused); the reads are bounded by ReceiveTimeout.
            socket.Connect(baseUrl.Host, baseUrl.Port);
            socket.Send(Encoding.ASCII.GetBytes($"GET {baseUrl.AbsolutePath.TrimEnd('/')}/stats HTTP/1.0\r\nHost: {baseUrl.Authority}\r\n\r\n"));
            using var answer = new MemoryStream();
            var buffer = new byte[8192];
            int n;
            while ((n = socket.Receive(buffer)) > 0 && answer.Length < 1 << 20) answer.Write(buffer, 0, n);
            var text = Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && !text.StartsWith("HTTP/1.0 200", StringComparison.Ordinal) || body < 0)
                throw new InvalidOperationException($"backend /stats answered {text.Split('\r')[0]}");
            Stats = JsonSerializer.Deserialize<BackendStats>(text[(body + 4)..], JsonSerializerOptions.Web);
            Error = null;
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException or JsonException)
        {
            (Stats, Error) = (null, ex.Message);
        }
    }

    private int Ms => (int)timeout.TotalMilliseconds;
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// A tiny HTTP/1.1 server on its own port, for the live page only: one dedicated thread accepts, one dedicated
/// thread per client reads its request and writes with blocking socket calls. No await, no timer, no thread-pool
/// work item anywhere, so it answers while Kestrel (which runs on the starving pool) cannot. It serves the page's
/// files and <c>/live/stream</c>, the frames as Server-Sent Events, with CORS so the page on Kestrel's port may read it.
/// </summary>
public sealed class LiveServer : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener;
    private readonly LiveFeed feed;
    private readonly LivePage page;
    private readonly int maxClients;
    private readonly ILogger log;
    private readonly Thread acceptor;
    private volatile bool stopped;
    private int clients;

    public LiveServer(IPAddress address, int port, LiveFeed feed, LivePage page, int maxClients, ILogger log)
    {
        (this.feed, this.page, this.maxClients, this.log) = (feed, page, maxClients, log);
        listener = new TcpListener(address, port);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptor = new Thread(Accept) { IsBackground = true, Name = "live accept" };
        acceptor.Start();
    }

    public int Port { get; }

    private void Accept()
    {
        while (!stopped)
        {
            Socket client;
            try { client = listener.AcceptSocket(); }
            catch (SocketException) when (stopped) { return; }
            catch (ObjectDisposedException) { return; }
            if (Interlocked.Increment(ref clients) > maxClients)
            {
                Interlocked.Decrement(ref clients);
                using (client) Close(client, "503 Service Unavailable", "text/plain", "too many live pages open"u8.ToArray());
                continue;
            }
            new Thread(() => Serve(client)) { IsBackground = true, Name = "live client" }.Start();
        }
    }

    private void Serve(Socket client)
    {
        try
        {
            client.NoDelay = true;
            client.ReceiveTimeout = client.SendTimeout = 5000;
            var path = ReadPath(client);
            if (path == LivePage.StreamRoute) Stream(client);
            else if (path is not null && page.Find(path) is { } file) Close(client, "200 OK", file.Type, file.Body);
            else Close(client, "404 Not Found", "text/plain", "not found"u8.ToArray());
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            log.LogDebug("live client left: {Reason}", ex.Message); // a page closed: the normal end of a stream
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref clients);
        }
    }

    // Each frame is one SSE event; a slow client skips to the newest frame instead of queueing.
    private void Stream(Socket client)
    {
        client.Send(Head("200 OK", "text/event-stream", null));
        client.Send("retry: 1000\n\n"u8);
        long seq = 0;
        while (!stopped)
        {
            var frame = feed.WaitNewer(seq, KeepAlive);
            if (frame is null) { client.Send(": keep-alive\n\n"u8); continue; }
            seq = frame.Seq;
            client.Send(Encoding.ASCII.GetBytes($"id: {frame.Seq}\ndata: "));
            client.Send(frame.Json);
            client.Send("\n\n"u8);
        }
    }

    private static string? ReadPath(Socket client)
    {
        var head = new byte[8192];
        var length = 0;
        while (length < head.Length)
        {
            var n = client.Receive(head, length, head.Length - length, SocketFlags.None);
            if (n == 0) return null;
            length += n;
            var text = Encoding.ASCII.GetString(head, 0, length);
            if (!text.Contains("\r\n\r\n", StringComparison.Ordinal)) continue;
            var parts = text[..text.IndexOf('\r', StringComparison.Ordinal)].Split(' ');
            return parts is ["GET", var target, _] ? target.Split('?')[0] : null;
        }
        return null;
    }

    private static void Close(Socket client, string status, string type, byte[] body)
    {
        try
        {
            client.Send(Head(status, type, body.Length));
            client.Send(body);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException) { } // the client went first
    }

    private static byte[] Head(string status, string type, int? length) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nCache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n" +
        (length is { } n ? $"Content-Length: {n}\r\n" : "") + "\r\n");

    public void Dispose()
    {
        stopped = true;
        listener.Stop();
        acceptor.Join(TimeSpan.FromSeconds(1));
    }
}

using System.Net.Sockets;
using System.Text;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A Server-Sent Events client that only counts: the moment each event arrived, by this process's clock. It reads on
/// a dedicated thread with a blocking socket, so the test's own load (hundreds of requests in flight, timing out at
/// once) cannot delay what it sees: a gap it measures is the server's. HTTP/1.0, so Kestrel does not chunk the stream.
/// </summary>
public sealed class SseCounter : IAsyncDisposable
{
    private readonly Socket socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly List<TimeSpan> arrivals = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Thread reader;
    private volatile bool stopped;

    public SseCounter(Uri stream)
    {
        reader = new Thread(() => Read(stream)) { IsBackground = true, Name = $"sse counter {stream}" };
        reader.Start();
    }

    public TimeSpan Now => clock.Elapsed;
    public string? Error { get; private set; }

    /// <summary>How many events arrived between <paramref name="from"/> and <paramref name="to"/>, and the longest silence in that window.</summary>
    public (int Events, TimeSpan LongestGap) Between(TimeSpan from, TimeSpan to)
    {
        List<TimeSpan> inside;
        lock (arrivals) inside = arrivals.Where(a => a >= from && a <= to).ToList();
        var edges = inside.Prepend(from).Append(to).ToList();
        var gap = edges.Zip(edges.Skip(1), (a, b) => b - a).DefaultIfEmpty(to - from).Max();
        return (inside.Count, gap);
    }

    private void Read(Uri stream)
    {
        try
        {
            socket.Connect(stream.Host, stream.Port);
            socket.Send(Encoding.ASCII.GetBytes($"GET {stream.PathAndQuery} HTTP/1.0\r\nHost: {stream.Authority}\r\nAccept: text/event-stream\r\n\r\n"));
            using var lines = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
            var status = lines.ReadLine();
            if (status is null || !status.Contains(" 200 ", StringComparison.Ordinal)) { Error = $"answered {status}"; return; }
            while (lines.ReadLine() is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                lock (arrivals) arrivals.Add(clock.Elapsed);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            if (!stopped) Error = ex.Message;
        }
    }

    public ValueTask DisposeAsync()
    {
        stopped = true;
        socket.Dispose(); // ends the blocking read
        reader.Join(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }
}

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// A Server-Sent Events client that only counts: the moment each event arrived, by this process's clock. The test
/// process is not the API, so its own thread pool is not the one a bad variant starves.
/// </summary>
public sealed class SseCounter : IAsyncDisposable
{
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource stop = new();
    private readonly List<TimeSpan> arrivals = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Task reading;

    public SseCounter(Uri stream) => reading = Task.Run(() => ReadAsync(stream));

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

    private async Task ReadAsync(Uri stream)
    {
        try
        {
            using var response = await http.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                lock (arrivals) arrivals.Add(clock.Elapsed);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception ex) when (ex is HttpRequestException or IOException) { Error = ex.Message; }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await reading;
        http.Dispose();
        stop.Dispose();
    }
}

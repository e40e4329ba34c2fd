using System.Diagnostics;
using System.Text.Json;

namespace PitfallLab.Bench.Recovery;

/// <summary>What the bench reads from the lab itself: the API's thread pool, from /lab/stats.</summary>
public sealed class LabClient(HttpClient http)
{
    public HttpClient Http => http;

    /// <summary>Thread-pool threads now and the pool's floor (minimum worker threads), or null when the API does not answer in 5 s.</summary>
    public async Task<(int Threads, int Floor)?> ThreadsAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("/lab/stats", cts.Token));
            var pool = doc.RootElement.GetProperty("threadPool");
            return (pool.GetProperty("threads").GetInt32(), pool.GetProperty("minWorkerThreads").GetInt32());
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException) { return null; }
    }

    /// <summary>
    /// Waits until the thread pool is back near its floor (idle threads retire after ~20 s), so this variant does not
    /// start on threads an earlier one made: the same wait k6's setup() does. Returns the seconds waited.
    /// </summary>
    public async Task<double> WaitForQuietPoolAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            if (await ThreadsAsync() is { } t && t.Threads <= QuietLimit(t.Floor)) break;
            await Task.Delay(500);
        }
        return waited.Elapsed.TotalSeconds;
    }

    public static int QuietLimit(int floor) => floor + 4;
}

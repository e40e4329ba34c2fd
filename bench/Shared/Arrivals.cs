using System.Diagnostics;

namespace PitfallLab.LoadKit;

/// <summary>
/// k6's constant-arrival-rate executor in miniature, shared by bench/ and the tests: call <i>i</i> starts
/// <i>i</i>/rate seconds after the first, whether or not the earlier ones have answered, so a slow server meets a
/// growing queue as it would under k6.
/// </summary>
public static class Arrivals
{
    public static async Task<T[]> AtRateAsync<T>(double rate, int total, Func<int, Task<T>> send)
    {
        var results = new T[total];
        var calls = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var index = i;
            calls.Add(Task.Run(async () => results[index] = await send(index)));
        }
        await Task.WhenAll(calls);
        return results;
    }
}

using System.Diagnostics;

namespace PitfallLab.LoadKit;

/// <summary>How the bench and the tests decide that the lab has recovered: enough good rounds in a row.</summary>
public static class Streak
{
    /// <summary>
    /// Runs <paramref name="round"/> every <paramref name="every"/> until <paramref name="needed"/> rounds in a row
    /// succeed; answers when the first of them started (on <paramref name="clock"/>), or null once <paramref name="limit"/>
    /// has passed on it.
    /// </summary>
    public static async Task<TimeSpan?> FirstOfAsync(Func<int, Task<bool>> round, int needed, TimeSpan every, TimeSpan limit, Stopwatch clock)
    {
        TimeSpan? first = null;
        var streak = 0;
        for (var i = 0; clock.Elapsed < limit; i++)
        {
            var started = clock.Elapsed;
            if (await round(i))
            {
                first ??= started;
                if (++streak == needed) return first;
            }
            else (first, streak) = (null, 0);
            var next = started + every - clock.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        return null;
    }
}

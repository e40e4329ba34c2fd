namespace PitfallLab.Tests.Fixtures;

/// <summary>Waiting in a test for something the lab does in the background: always bounded, and saying what never happened.</summary>
public static class Eventually
{
    /// <summary>Re-checks <paramref name="condition"/> every 100 ms; fails the test, naming <paramref name="what"/>, once <paramref name="limit"/> has passed.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan limit, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed >= limit)
                Assert.Fail($"not within {limit.TotalSeconds:F0} s: {what()}");
            await Task.Delay(100);
        }
    }

    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan limit, string what) => HoldsAsync(condition, limit, () => what);
}

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// The backend's counters are global, and the backend is shared by every test: a call still running from an earlier
/// test (a burst's queued request, a background job) would land on either side of a reset. Reset only once the
/// backend is idle, and read only once this test's calls have ended there, both bounded.
/// </summary>
public static class BackendCounters
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Waits until no call is in flight at the backend, then resets its counters and answers the fresh ones.</summary>
    public static async Task<JsonElement> ResetWhenIdleAsync(this ServiceProcess backend)
    {
        await WhenAsync(backend, s => InFlight(s) == 0, "no call left in flight before the reset");
        return await backend.Client.PostJsonAsync("/stats/reset");
    }

    /// <summary>The counters once at least <paramref name="calls"/> calls have ended there and none is in flight.</summary>
    public static Task<JsonElement> AfterAsync(this ServiceProcess backend, long calls) =>
        WhenAsync(backend, s => InFlight(s) == 0 && s.GetProperty("total").GetInt64() >= calls, $"{calls} calls ended at the backend");

    /// <summary>The counters once exactly <paramref name="calls"/> calls are in flight there.</summary>
    public static Task<JsonElement> WhenInFlightAsync(this ServiceProcess backend, long calls) =>
        WhenAsync(backend, s => InFlight(s) == calls, $"{calls} calls in flight at the backend");

    private static long InFlight(JsonElement stats) => stats.GetProperty("inFlight").GetInt64();

    private static async Task<JsonElement> WhenAsync(ServiceProcess backend, Func<JsonElement, bool> condition, string what)
    {
        JsonElement stats = default;
        await Eventually.HoldsAsync(async () =>
        {
            stats = await backend.Client.GetJsonAsync("/stats");
            return condition(stats);
        }, Patience, () => $"{what}: {stats}");
        return stats;
    }
}

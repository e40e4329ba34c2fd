namespace PitfallLab.Api.Lab;

/// <summary>
/// A pitfall's running totals (writes acknowledged vs persisted, failures seen vs recorded...), shown under
/// <c>pitfalls.{id}</c> in /lab/stats and zeroed by POST /lab/reset. Register with <c>AddSingleton&lt;ILabCounters, T&gt;()</c>.
/// </summary>
public interface ILabCounters
{
    string Pitfall { get; }

    /// <summary>A JSON-serialisable snapshot of the totals right now.</summary>
    object Snapshot();

    void Reset();
}

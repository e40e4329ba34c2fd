namespace PitfallLab.Api.Lab;

/// <summary>
/// A pitfall's running totals (writes acknowledged vs persisted, failures seen vs recorded...), shown under
/// <c>pitfalls.{id}</c> in /lab/stats and zeroed by POST /lab/reset. Register with <see cref="LabCountersServices.AddLabCounters{T}"/>.
/// </summary>
public interface ILabCounters
{
    string Pitfall { get; }

    /// <summary>A JSON-serialisable snapshot of the totals right now.</summary>
    object Snapshot();

    void Reset();
}

public static class LabCountersServices
{
    /// <summary>One instance of <typeparamref name="T"/>: injected by the pitfall's handlers as itself, listed by /lab/stats as <see cref="ILabCounters"/>.</summary>
    public static IServiceCollection AddLabCounters<T>(this IServiceCollection services) where T : class, ILabCounters =>
        services.AddSingleton<T>().AddSingleton<ILabCounters>(sp => sp.GetRequiredService<T>());
}

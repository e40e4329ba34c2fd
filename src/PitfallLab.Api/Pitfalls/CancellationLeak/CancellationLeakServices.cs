using PitfallLab.Api.Lab;
using PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak;

public static class CancellationLeakServices
{
    /// <summary>The leak guard (a hosted sweep, and the pitfall's figures in /lab/stats), and the abandon driver's pieces.</summary>
    public static IServiceCollection AddCancellationLeak(this IServiceCollection services)
    {
        services.AddOptions<LeakGuardOptions>().BindConfiguration("CancellationLeak").ValidateDataAnnotations().ValidateOnStart();
        services.AddLabCounters<LeakGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<LeakGuard>());
        services.AddTransient<LeftBehindProbe>();
        services.AddSingleton<Loopback>();
        // Loopback only, and no overall timeout: each call has its own (abortAfterMs, or 10 s for the fresh call).
        services.AddHttpClient(Loopback.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}

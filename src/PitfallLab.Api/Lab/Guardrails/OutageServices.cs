namespace PitfallLab.Api.Lab.Guardrails;

public static class OutageServices
{
    /// <summary>What <see cref="DependencyOutageHandler"/> needs, and the watch that keeps dead connections out of the pools.</summary>
    public static IServiceCollection AddOutageGuardrails(this IServiceCollection services) =>
        services
            .AddSingleton<DependencyAddresses>()
            .AddSingleton<PoolJanitor>()
            .AddHostedService<PostgresWatch>();
}

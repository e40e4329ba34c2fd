using PitfallLab.Api.Backend;
using PitfallLab.Api.Lab;

namespace PitfallLab.Api.Pitfalls.MissingAwait;

public static class MissingAwaitServices
{
    private static readonly string[] Variants = ["bad", "good"];

    // Small and impatient: a save stuck on a disposed connection fails in seconds, not in Npgsql's default 30 s.
    private static readonly PoolShape Pool = new(MaxPoolSize: 20, TimeoutSeconds: 5, CommandTimeoutSeconds: 5);

    /// <summary>
    /// The request-scoped pieces, one set per variant (keyed by it): the request's connection from the variant's sandbox
    /// pool (<c>pitfalllab/missing-await/{variant}</c>), and the writer that uses it. The request's scope disposes them
    /// once the response has been sent.
    /// </summary>
    public static IServiceCollection AddMissingAwait(this IServiceCollection services)
    {
        services.AddLabCounters<MissingAwaitCounters>();
        services.AddSingleton<OrderReader>();
        foreach (var variant in Variants)
        {
            services.AddKeyedScoped(variant, (sp, _) => new RequestConnection(
                sp.GetRequiredService<SandboxPools>().For(MissingAwaitPitfall.Id, variant, Pool),
                sp.GetRequiredService<OrderReader>(),
                sp.GetRequiredService<MissingAwaitCounters>().For(variant)));
            services.AddKeyedScoped(variant, (sp, _) => new OrderWriter(
                sp.GetRequiredKeyedService<RequestConnection>(variant),
                sp.GetRequiredService<BackendClient>(),
                new SaveLog(sp.GetRequiredService<MissingAwaitCounters>().For(variant))));
        }
        return services;
    }
}

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>
/// The lab's stage guard, apart from every lesson: a pitfall request whose client has already gone is not started
/// (answered 499, as nginx names it), and a variant marked <see cref="BlocksThreadsAttribute"/> holds at most
/// <see cref="GuardrailOptions.MaxBlockedRequests"/> pool threads at once. Together they make a bad run hurt only
/// while it runs: when the load stops, no backlog of abandoned requests is left to burn the pool.
/// </summary>
public sealed class StageGuard(ThreadGates gates) : IMiddleware
{
    public const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // One gate per route, as declared (/pitfalls/BLOCKING-IO/bad matches the same route): "blocking-io/bad".
        var gate = context.GetEndpoint() is RouteEndpoint endpoint && endpoint.Metadata.GetMetadata<BlocksThreadsAttribute>() is not null
            ? gates.For(endpoint.RoutePattern.RawText!["/pitfalls/".Length..])
            : null;
        if (context.RequestAborted.IsCancellationRequested)
        {
            gate?.Skipped();
            context.Response.StatusCode = ClientClosedRequest;
            return;
        }
        if (gate is null)
        {
            await next(context);
            return;
        }
        if (!await gate.RunAsync(() => next(context), context.RequestAborted))
            context.Response.StatusCode = ClientClosedRequest;
    }
}

public static class StageGuardExtensions
{
    public static IServiceCollection AddStageGuard(this IServiceCollection services)
    {
        services.AddOptions<GuardrailOptions>().BindConfiguration("Guardrails").ValidateDataAnnotations().ValidateOnStart();
        return services.AddSingleton<ThreadGates>().AddSingleton<StageGuard>();
    }

    /// <summary>Guards the pitfall routes only: the lab's own routes (health, stats) must answer whatever a pitfall does.</summary>
    public static IApplicationBuilder UseStageGuard(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/pitfalls"), a => a.UseMiddleware<StageGuard>());
}

using System.Net.ServerSentEvents;
using System.Text;

namespace PitfallLab.Api.Lab.Live;

/// <summary>
/// /live on Kestrel's port: the page (which then reads frames from the live listener's port), its files, and
/// /live/stream, the same frames through <c>TypedResults.ServerSentEvents</c>: the fallback when <c>Live:Port</c> is
/// 0, and the comparison, since its writes need the thread pool that a bad variant starves.
/// </summary>
public static class LiveApi
{
    public static IServiceCollection AddLive(this IServiceCollection services)
    {
        services.AddOptions<LiveOptions>().BindConfiguration("Live").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveFeed>().AddSingleton<LatencyWindow>();
        services.AddSingleton<LivePage>();
        return services.AddHostedService<LiveStage>();
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(LivePage.StreamRoute, (LiveFeed feed, CancellationToken ct) =>
                TypedResults.ServerSentEvents(Frames(feed, ct)))
            .ExcludeFromDescription();
        routes.MapGet($"{LivePage.Route}/{{**file}}", (HttpContext context, LivePage page) =>
                page.Find(context.Request.Path) is { } file ? Results.Bytes(file.Body, file.Type) : Results.NotFound())
            .ExcludeFromDescription();
        return routes;
    }

    private static async IAsyncEnumerable<SseItem<string>> Frames(LiveFeed feed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var frame in feed.ReadAllAsync(ct))
            yield return new SseItem<string>(Encoding.UTF8.GetString(frame.Json)) { EventId = frame.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }
}

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>Endpoint metadata: this variant holds a thread-pool thread for its whole IO, so the lab gates it.</summary>
public sealed class BlocksThreadsAttribute : Attribute;

public static class BlocksThreadsExtensions
{
    /// <summary>Marks a bad variant that blocks pool threads: <see cref="StageGuard"/> lets only so many in at once.</summary>
    public static RouteHandlerBuilder BlocksThreads(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new BlocksThreadsAttribute());
}

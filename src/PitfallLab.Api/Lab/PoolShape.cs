namespace PitfallLab.Api.Lab;

/// <summary>The size and patience of a sandbox pool: small on purpose, so a pitfall that exhausts it fails fast and alone.</summary>
public sealed record PoolShape(int MaxPoolSize = 20, int TimeoutSeconds = 5, int CommandTimeoutSeconds = 30);

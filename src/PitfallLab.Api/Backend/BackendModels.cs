using System.Globalization;
using System.Net;

namespace PitfallLab.Api.Backend;

public sealed record BackendUser(int Id, string Name, string Email, string Tier);

public sealed record BackendStats(int InFlight, int MaxInFlight, long Total, IReadOnlyDictionary<string, long> ByStatus, long Aborted, DateTimeOffset Since);

/// <summary>How the simulated third-party API should behave for one call (its query knobs).</summary>
public sealed record BackendCall(int DelayMs = 0, int JitterMs = 0, string? FailIds = null, double FailRate = 0, int? Seed = null, int FailAfterMs = 0, int? Cap = null)
{
    public string ToQuery()
    {
        var parts = new List<string> { $"delayMs={DelayMs}" };
        if (JitterMs > 0) parts.Add($"jitterMs={JitterMs}");
        if (!string.IsNullOrEmpty(FailIds)) parts.Add($"failIds={Uri.EscapeDataString(FailIds)}");
        if (FailRate > 0) parts.Add($"failRate={FailRate.ToString(CultureInfo.InvariantCulture)}");
        if (Seed is { } seed) parts.Add($"seed={seed}");
        if (FailAfterMs > 0) parts.Add($"failAfterMs={FailAfterMs}");
        if (Cap is { } cap) parts.Add($"cap={cap}");
        return string.Join('&', parts);
    }
}

/// <summary>The backend answered an error on purpose (simulated failure, 429 cap) or by accident.</summary>
public sealed class BackendException(HttpStatusCode status, string detail)
    : Exception($"backend answered {(int)status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;
    public string Detail { get; } = detail;
}

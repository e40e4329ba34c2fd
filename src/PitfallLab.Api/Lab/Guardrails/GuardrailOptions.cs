using System.ComponentModel.DataAnnotations;

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>Configuration section <c>Guardrails</c> (environment: <c>Guardrails__MaxBlockedRequests</c>).</summary>
public sealed class GuardrailOptions
{
    /// <summary>
    /// How many requests of one thread-blocking variant may hold a pool thread at once; the others wait their turn
    /// without a thread. 0 lifts the cap and lets the pitfall run unbounded (its damage then outlives the load).
    /// </summary>
    [Range(0, 10000)]
    public int MaxBlockedRequests { get; set; } = 32;
}

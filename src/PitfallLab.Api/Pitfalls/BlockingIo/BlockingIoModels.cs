using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Pitfalls.BlockingIo;

/// <summary>The knobs: which user to look up, and how slow the downstream backend is.</summary>
public sealed record BlockingIoKnobs(
    [property: FromQuery(Name = "userId")]
    [property: Description("Which seeded user to look up (1..5000).")]
    [property: Range(1, 5000, ErrorMessage = "userId must be between 1 and 5000.")]
    int UserId = 42,
    [property: FromQuery(Name = "delayMs")]
    [property: Description("How long the backend takes to answer, in ms (0..5000). 100 ms makes starvation obvious.")]
    [property: Range(0, 5000, ErrorMessage = "delayMs must be between 0 and 5000.")]
    int DelayMs = 100)
{
    public BackendCall Call => new(DelayMs);
}

public sealed record OrderSummary(long Orders, decimal Total);

/// <summary>The job's result: the user from the backend and their orders from PostgreSQL.</summary>
public sealed record UserOrders(BackendUser User, OrderSummary Orders);

/// <summary>How long each IO took inside the handler; the wait for a thread before it started shows only in the client's latency.</summary>
public sealed record IoEvidence(double BackendMs, double DatabaseMs);

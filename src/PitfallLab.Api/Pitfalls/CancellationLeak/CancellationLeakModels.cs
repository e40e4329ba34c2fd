using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak;

/// <summary>The slow report both variants build: how long its query and its backend call take, and for whom.</summary>
public sealed record ReportKnobs(
    [property: FromQuery(Name = "queryMs")]
    [property: Description("How long the report's query runs in PostgreSQL, in ms (0..20000): pg_sleep beside a real aggregate over the 50,000 orders. A few seconds, so a client gives up first.")]
    [property: Range(0, 20000, ErrorMessage = "queryMs must be between 0 and 20000.")]
    int QueryMs = 3000,
    [property: FromQuery(Name = "delayMs")]
    [property: Description("How long the backend call made beside the query takes, in ms (0..20000).")]
    [property: Range(0, 20000, ErrorMessage = "delayMs must be between 0 and 20000.")]
    int DelayMs = 2000,
    [property: FromQuery(Name = "userId")]
    [property: Description("Whom the report is prepared for (1..5000), looked up at the backend.")]
    [property: Range(1, 5000, ErrorMessage = "userId must be between 1 and 5000.")]
    int UserId = 42)
{
    public BackendCall Call => new(DelayMs);

    public double QuerySeconds => QueryMs / 1000.0;
}

/// <summary>The report: an aggregate over every order, and the user it is prepared for (from the backend).</summary>
public sealed record SalesReport(ReportTotals Totals, BackendUser PreparedFor);

public sealed record ReportTotals(long Orders, decimal Revenue, long Customers);

/// <summary>
/// What a completed call can show on its own: whether its token reached the query and the backend call, and what the
/// leak guard sees for this variant right now (connections held by requests that have already ended).
/// </summary>
public sealed record ReportEvidence(bool TokenFlowedToQuery, bool TokenFlowedToBackend, string ConnectionLifetime, LeakFigures Leaks);

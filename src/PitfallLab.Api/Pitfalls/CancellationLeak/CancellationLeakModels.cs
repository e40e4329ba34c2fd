using PitfallLab.Api.Backend;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak;

/// <summary>The slow report both variants build: how long its query and its backend call take, and for whom.</summary>
public sealed record ReportKnobs(
    [property: Knob(0, 20000, "How long the report's query runs in PostgreSQL, in ms: pg_sleep beside a real aggregate over the 50,000 orders. A few seconds, so a client gives up first.")] int QueryMs = 3000,
    [property: Knob(0, 20000, "How long the backend call made beside the query takes, in ms.")] int DelayMs = 2000,
    [property: Knob(1, 5000, "Whom the report is prepared for, looked up at the backend.")] int UserId = 42)
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

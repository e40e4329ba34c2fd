using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;

/// <summary>Which variant to abandon, how many clients leave, and how soon.</summary>
public sealed record AbandonKnobs(
    [property: TextKnob("^(bad|good)$", "bad or good", "The variant whose calls are abandoned.")] string Variant = "bad",
    [property: Knob(1, 50, "How many real HTTP calls to make at once; each variant's pool holds 5 connections.")] int Clients = 10,
    [property: Knob(50, 10000, "Each client gives up after this many ms: well before queryMs, as a client timeout or a closed tab would.")] int AbortAfterMs = 300,
    [property: Knob(0, 5000, "How long to wait after the clients left before the first look, in ms: time for the server to notice.")] int SettleMs = 700);

/// <summary>What the abandoned calls left behind at one moment, for the variant's own pool and Application Name.</summary>
public sealed record LeftBehind(
    double AtMs,
    long HandlersRunning,
    long ActiveQueries,
    long Sessions,
    double LongestActiveQueryMs,
    long PoolInUse,
    long PoolIdle,
    long PoolWaiting,
    long ConnectionsLeaked,
    int? BackendInFlight);

/// <summary>A new call to the variant (queryMs=0, delayMs=0) once the abandoned ones are over: does it get a connection?</summary>
public sealed record FreshCall(int Status, bool Succeeded, double ElapsedMs, string? Problem);

public sealed record AbandonResult(string Variant, string Pool, int Clients, int Abandoned, int AnsweredBeforeAbort, string Verdict);

public sealed record AbandonEvidence(
    int AbortAfterMs,
    int QueryMs,
    int DelayMs,
    LeftBehind AfterAbort,
    LeftBehind AfterHandlersEnded,
    FreshCall FreshCall,
    LeakFigures Guard);

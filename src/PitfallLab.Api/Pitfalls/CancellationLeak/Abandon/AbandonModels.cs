using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PitfallLab.Api.Pitfalls.CancellationLeak.Guardrails;

namespace PitfallLab.Api.Pitfalls.CancellationLeak.Abandon;

/// <summary>Which variant to abandon, how many clients leave, and how soon.</summary>
public sealed record AbandonKnobs(
    [property: FromQuery(Name = "variant")]
    [property: Description("The variant whose calls are abandoned: bad or good.")]
    [property: RegularExpression("^(bad|good)$", ErrorMessage = "variant must be bad or good.")]
    string Variant = "bad",
    [property: FromQuery(Name = "clients")]
    [property: Description("How many real HTTP calls to make at once (1..50); each variant's pool holds 5 connections.")]
    [property: Range(1, 50, ErrorMessage = "clients must be between 1 and 50.")]
    int Clients = 10,
    [property: FromQuery(Name = "abortAfterMs")]
    [property: Description("Each client gives up after this many ms (50..10000): well before queryMs, as a client timeout or a closed tab would.")]
    [property: Range(50, 10000, ErrorMessage = "abortAfterMs must be between 50 and 10000.")]
    int AbortAfterMs = 300,
    [property: FromQuery(Name = "settleMs")]
    [property: Description("How long to wait after the clients left before the first look (0..5000): time for the server to notice.")]
    [property: Range(0, 5000, ErrorMessage = "settleMs must be between 0 and 5000.")]
    int SettleMs = 700);

/// <summary>What the abandoned calls left behind at one moment, for the variant's own pool and Application Name.</summary>
public sealed record LeftBehind(
    double AtMs,
    int HandlersRunning,
    long ActiveQueries,
    long Sessions,
    double LongestActiveQueryMs,
    long PoolInUse,
    long PoolIdle,
    long PoolWaiting,
    int ConnectionsLeaked,
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

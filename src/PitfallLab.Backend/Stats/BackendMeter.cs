using System.Diagnostics.Metrics;

namespace PitfallLab.Backend.Stats;

/// <summary>
/// The backend's figures as instruments on its own meter, "PitfallLab.Backend", for /metrics: what <c>GET /stats</c>
/// shows, but never reset (Prometheus computes rates from running totals; <c>POST /stats/reset</c> is for JSON readers).
/// </summary>
public sealed class BackendMeter
{
    public const string Name = "PitfallLab.Backend";
    public const string StatusTag = "http.response.status_code";

    private readonly Meter meter; // the IMeterFactory owns it and disposes it with the host
    private readonly UpDownCounter<long> inFlight;
    private readonly Counter<long> answers;
    private readonly Counter<long> aborted;

    public BackendMeter(IMeterFactory meters)
    {
        meter = meters.Create(Name);
        inFlight = meter.CreateUpDownCounter<long>("pitfalllab.backend.in_flight", "{call}",
            "Simulated calls running now, counted on arrival: an unbounded fan-out shows here above the cap");
        answers = meter.CreateCounter<long>("pitfalllab.backend.answers", "{call}",
            "Simulated calls (/users, /work) answered, by status code: 429 is the concurrency cap refusing a call");
        aborted = meter.CreateCounter<long>("pitfalllab.backend.aborted", "{call}",
            "Simulated calls whose caller disconnected before the answer");
    }

    public void Arrived() => inFlight.Add(1);

    public void Left() => inFlight.Add(-1);

    public void Answered(int statusCode) => answers.Add(1, new KeyValuePair<string, object?>(StatusTag, statusCode));

    public void Aborted() => aborted.Add(1);
}

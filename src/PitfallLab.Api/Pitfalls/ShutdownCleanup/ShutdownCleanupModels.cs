using System.ComponentModel;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup;

/// <summary>The knobs: how much work the worker holds, how long each job takes, when it is stopped and how patient its host is.</summary>
public sealed record ShutdownKnobs(
    [property: Knob(1, 40, "How many jobs the worker is handed.")] int Jobs = 12,
    [property: Knob(1, 10, "How many jobs run at once: the worker's pool holds this many connections, so the rest wait their turn.")] int Concurrency = 4,
    [property: Knob(100, 5000, "How long each job holds its connection (a query of that length) before it writes its result row, in ms.")] int JobMs = 1000,
    [property: Knob(0, 10000, "When the lab sends the worker SIGTERM, in ms after it took its jobs. 1500: the second wave of jobs is running, the third is waiting.")] int StopAfterMs = 1500,
    [property: Knob(500, 5000, "The worker host's HostOptions.ShutdownTimeout, in ms (.NET's default is 30 s): how long it waits for its services to stop.")] int ShutdownTimeoutMs = 1000);

/// <summary>What became of the jobs, counted from the rows really in PostgreSQL.</summary>
public sealed record JobsOutcome(
    [property: Description("The run's id: its rows in shutdown_jobs carry it.")]
    Guid RunId,
    [property: Description("Jobs the worker said it took (its `enqueued` line).")]
    int Enqueued,
    [property: Description("Rows with status 'completed': jobs that finished and wrote their result.")]
    int Completed,
    [property: Description("Rows with status 'pending': jobs the stop left undone and said so, for the next instance to pick up.")]
    int RecordedPending,
    [property: Description("enqueued − completed − recordedPending: jobs that vanished without a trace.")]
    int Lost);

/// <summary>How the stop went, and what it left behind in PostgreSQL.</summary>
public sealed record StopEvidence(
    [property: Description("Where the lesson ran: the worker process, its pid, and the code it ran.")]
    string Host,
    [property: Description("When SIGTERM was sent, in ms after the worker took its jobs.")]
    double SigtermAfterMs,
    [property: Description("From SIGTERM to the process's exit, in ms.")]
    double StopMs,
    [property: Description("The worker's HostOptions.ShutdownTimeout, in ms.")]
    int ShutdownTimeoutMs,
    [property: Description("The worker's exit code: 0 for both variants, so an orchestrator cannot tell a clean stop from a lossy one.")]
    int? ExitCode,
    [property: Description("True when the worker outlived the lab's bound after SIGTERM and the lab killed it.")]
    bool KilledByLab,
    [property: Description("PostgreSQL backends the worker's jobs opened during the run.")]
    int BackendsOpened,
    [property: Description("Of those, still in pg_stat_activity (Application Name pitfalllab/shutdown-cleanup/{variant}) once the process was gone.")]
    int ConnectionsLeft,
    [property: Description("Of those left, how many were still running a job's query: work for a client that no longer exists.")]
    int QueriesStillRunning,
    [property: Description("Left-over backends the lab then ended with pg_terminate_backend, so that the next run starts clean.")]
    int ClosedByLab,
    [property: Description("What the worker printed after SIGTERM (its log and protocol lines).")]
    IReadOnlyList<string> WorkerSaidAfterSigterm);

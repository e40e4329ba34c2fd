using System.Data;
using System.Diagnostics;
using PitfallLab.Api.Pitfalls.BusyPolling.Guardrails;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>
/// The good waiter's signal: LISTEN on the worker's channel and wake when a NOTIFY names this job. One listening
/// connection per waiting request keeps the demo readable; a busy service would share one listener per process
/// and hand each notification to the waiter registered for its job.
/// </summary>
public sealed class JobSignal : IAsyncDisposable
{
    // Fixed identifiers (LISTEN takes no parameters); the worker's pg_notify names the same channel.
    private const string ListenSql = $"LISTEN {BusyPollingWorker.Channel}";
    private const string UnlistenSql = $"UNLISTEN {BusyPollingWorker.Channel}";

    private readonly NpgsqlConnection conn;
    private readonly string jobId;
    private volatile bool notified;

    private JobSignal(NpgsqlConnection conn, Job job)
    {
        (this.conn, jobId) = (conn, job.Id.ToString());
        conn.Notification += OnNotification;
    }

    /// <summary>
    /// LISTENs on the waiter's connection (a command counted with the wait's others), then hears this job's NOTIFY.
    /// A NOTIFY read before the handler is attached is not missed for good: the read after LISTEN sees the job done.
    /// </summary>
    public static async Task<JobSignal> ListenAsync(WaitMeter wait, CancellationToken ct)
    {
        await wait.ExecuteAsync(ListenSql, ct);
        return new JobSignal(wait.Connection, wait.Job);
    }

    /// <summary>
    /// Sleeps on the socket (no thread, no query) until this job's NOTIFY arrives or <paramref name="timeout"/> passes.
    /// Other jobs' notifications on the shared channel wake it briefly and are ignored.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // The flag first: the NOTIFY may already have been read while a query ran on this connection.
        while (!notified && timeout - clock.Elapsed is { Ticks: > 0 } left)
            await conn.WaitAsync(WholeMilliseconds(left), ct);
    }

    // Npgsql reads a 0 ms timeout as "no timeout": the last sliver of a wait, truncated to 0, would wait for the
    // job instead of the timeout. Round up, so the wait ends at most 1 ms late.
    private static int WholeMilliseconds(TimeSpan left) => (int)Math.Ceiling(left.TotalMilliseconds);

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Payload == jobId) notified = true;
    }

    /// <summary>
    /// Stops listening before the connection goes back to the pool: Npgsql resets a pooled session only when it is
    /// next opened, and until then the server would keep sending it every job's notification.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        conn.Notification -= OnNotification;
        if (conn.FullState == ConnectionState.Open)
            await conn.ExecuteAsync(UnlistenSql);
    }
}

using System.Diagnostics;
using Npgsql;

namespace PitfallLab.Api.Pitfalls.BusyPolling;

/// <summary>
/// The good waiter's signal: LISTEN on the worker's channel and wake when a NOTIFY names this job. The connection is
/// the waiter's own, from its sandbox pool; returning it to the pool resets the session (DISCARD ALL unlistens).
/// </summary>
public sealed class JobSignal : IDisposable
{
    private readonly NpgsqlConnection conn;
    private readonly string jobId;
    private volatile bool notified;

    private JobSignal(NpgsqlConnection conn, Job job)
    {
        (this.conn, jobId) = (conn, job.Id.ToString());
        conn.Notification += OnNotification;
    }

    public static async Task<JobSignal> ListenAsync(NpgsqlConnection conn, Job job, WaitMeter meter, CancellationToken ct)
    {
        var signal = new JobSignal(conn, job);
        try
        {
            await meter.ExecuteAsync(conn, $"LISTEN {BusyPollingWorker.Channel}", ct);
            return signal;
        }
        catch
        {
            signal.Dispose();
            throw;
        }
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
            await conn.WaitAsync(left, ct);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Payload == jobId) notified = true;
    }

    public void Dispose() => conn.Notification -= OnNotification;
}

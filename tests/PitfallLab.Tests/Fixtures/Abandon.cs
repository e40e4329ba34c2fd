namespace PitfallLab.Tests.Fixtures;

/// <summary>Clients that give up: real HTTP calls cancelled on the client side, which closes their connections.</summary>
public static class Abandon
{
    /// <summary>Starts <paramref name="clients"/> GETs at once and drops each after <paramref name="abortAfterMs"/>; answers how many were abandoned.</summary>
    public static async Task<int> CallsAsync(Uri api, string path, int clients, int abortAfterMs)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        var calls = Enumerable.Range(0, clients).Select(async _ =>
        {
            using var leave = new CancellationTokenSource(abortAfterMs);
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, leave.Token);
                return false;
            }
            catch (OperationCanceledException) when (leave.IsCancellationRequested)
            {
                return true;
            }
        });
        return (await Task.WhenAll(calls)).Count(abandoned => abandoned);
    }

    /// <summary>The sessions PostgreSQL holds for <paramref name="applicationName"/>: how many, and how many are running a query.</summary>
    public static async Task<(long Sessions, long Active)> SessionsAsync(string connectionString, string applicationName)
    {
        await using var db = new NpgsqlConnection(connectionString);
        return await db.QuerySingleAsync<(long, long)>(
            "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity WHERE application_name = @applicationName",
            new { applicationName });
    }

    /// <summary>The server pids of <paramref name="applicationName"/>'s sessions: tells one API's sessions from another's of the same name.</summary>
    public static async Task<HashSet<int>> PidsAsync(string connectionString, string applicationName)
    {
        await using var db = new NpgsqlConnection(connectionString);
        return [.. await db.QueryAsync<int>("SELECT pid FROM pg_stat_activity WHERE application_name = @applicationName", new { applicationName })];
    }
}

namespace PitfallLab.Api.Pitfalls.SharedConnection.Guardrails;

/// <summary>
/// Counts one request's lookups as they end, so every variant finishes with a tally instead of throwing the first
/// error: items ok, failures by exception type (with the first message), commands issued and refused, and which
/// server backends (connections, by process id) the commands went to.
/// </summary>
public sealed class LookupTally
{
    private readonly Lock gate = new();
    private readonly List<UserOrders> users = [];
    private readonly Dictionary<string, ErrorCount> errors = new(StringComparer.Ordinal);
    private readonly HashSet<int> backends = [];
    private int issued, refused, failed;

    /// <summary>Called right before a command is handed to the connection.</summary>
    public void Issued(NpgsqlConnection conn)
    {
        lock (gate)
        {
            issued++;
            backends.Add(conn.ProcessID);
        }
    }

    /// <summary>Runs one lookup; a failure is counted, never thrown (unless the client left).</summary>
    public async Task RunAsync(Func<Task<UserOrders>> lookUp, CancellationToken ct)
    {
        try
        {
            var user = await lookUp();
            lock (gate) users.Add(user);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Fail(e, items: 1);
        }
    }

    /// <summary>Runs every lookup as one unit (the batch): it succeeds or fails as a whole.</summary>
    public async Task RunAllAsync(int items, Func<Task<IReadOnlyList<UserOrders>>> lookUp, CancellationToken ct)
    {
        try
        {
            var all = await lookUp();
            lock (gate) users.AddRange(all);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Fail(e, items);
        }
    }

    private void Fail(Exception e, int items)
    {
        lock (gate)
        {
            failed += items;
            // Refused on the client: the connection was busy, so the command never left for the server.
            if (e is NpgsqlOperationInProgressException) refused++;
            var type = e.GetType().Name;
            errors[type] = errors.TryGetValue(type, out var seen) ? seen with { Count = seen.Count + items } : new ErrorCount(items, e.Message);
        }
    }

    public LookupResult Result(int lookups)
    {
        lock (gate)
            return new(lookups, users.Count, failed, users.OrderBy(u => u.UserId).ToList());
    }

    public LookupEvidence Evidence(string connections, int poolMax)
    {
        lock (gate)
        {
            return new(connections, users.Count, failed, new Dictionary<string, ErrorCount>(errors),
                issued, refused, RoundTrips: issued - refused, ConnectionsUsed: backends.Count, poolMax);
        }
    }
}

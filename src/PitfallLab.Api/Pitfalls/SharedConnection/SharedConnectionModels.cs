namespace PitfallLab.Api.Pitfalls.SharedConnection;

/// <summary>The job every variant runs: look up <c>lookups</c> seeded users and their orders, all at once.</summary>
public sealed record SharedConnectionKnobs(
    [property: Knob(1, 100, "How many users to look up in parallel, each with its own query: ids firstUserId..firstUserId+lookups-1.")] int Lookups = 10,
    [property: Knob(1, 4901, "The first user id looked up: with at most 100 lookups every id is one of the 5,000 seeded users.")] int FirstUserId = 1)
{
    public IReadOnlyList<int> UserIds => Enumerable.Range(FirstUserId, Lookups).ToList();
}

/// <summary>One lookup's answer: a seeded user and the count and sum of their orders (columns in constructor order, for Dapper).</summary>
public sealed record UserOrders(int UserId, string Name, string Tier, int Orders, decimal Total);

/// <summary>The job's result: how many lookups were asked for and succeeded, and the users that came back (by id).</summary>
public sealed record LookupResult(int Lookups, int Succeeded, int Failed, IReadOnlyList<UserOrders> Users);

/// <summary>How many lookups failed with one exception type, and the first such message (it names the SQL in progress).</summary>
public sealed record ErrorCount(int Count, string FirstMessage);

/// <summary>
/// What the lookups did to PostgreSQL: commands issued by the code, commands the connection refused before sending
/// them, round trips that really reached the server, distinct server backends (connections) used, and why items failed.
/// </summary>
public sealed record LookupEvidence(
    string Connections,
    int ItemsOk,
    int ItemsFailed,
    IReadOnlyDictionary<string, ErrorCount> ErrorsByType,
    int CommandsIssued,
    int CommandsRefused,
    int RoundTrips,
    int ConnectionsUsed,
    int PoolMaxPerProcess);

using PitfallLab.Api.Pitfalls.SharedConnection.Guardrails;

namespace PitfallLab.Api.Pitfalls.SharedConnection;

/// <summary>The lookup every variant runs: one user and their orders, as one query or as K queries in one batch.</summary>
public static class UserOrdersQuery
{
    private const string Sql = """
        SELECT u.id AS UserId, u.name, u.tier, count(o.id)::int AS Orders, coalesce(sum(o.total), 0) AS Total
        FROM users u LEFT JOIN orders o ON o.user_id = u.id
        WHERE u.id = @UserId
        GROUP BY u.id
        """;

    /// <summary>One command on <paramref name="conn"/>: if another command is running on it, Npgsql refuses this one.</summary>
    public static async Task<UserOrders> OneAsync(NpgsqlConnection conn, int userId, LookupTally tally, CancellationToken ct)
    {
        tally.Issued(conn);
        return await conn.QuerySingleAsync<UserOrders>(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct));
    }

    /// <summary>Every lookup in one NpgsqlBatch: one command on the connection, one round trip, one result set per user.</summary>
    public static async Task<IReadOnlyList<UserOrders>> BatchAsync(NpgsqlConnection conn, IReadOnlyList<int> userIds, LookupTally tally, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn);
        foreach (var id in userIds)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql) { Parameters = { new("UserId", id) } });

        tally.Issued(conn);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var parse = reader.GetRowParser<UserOrders>();
        var users = new List<UserOrders>(userIds.Count);
        do
        {
            while (await reader.ReadAsync(ct))
                users.Add(parse(reader));
        } while (await reader.NextResultAsync(ct));
        return users;
    }
}

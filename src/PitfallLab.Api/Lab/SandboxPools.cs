using System.Collections.Concurrent;

namespace PitfallLab.Api.Lab;

/// <summary>
/// One small, named connection pool per pitfall variant (Application Name <c>pitfalllab/{id}/{variant}</c>):
/// a pitfall that exhausts its pool hurts only itself, and pg_stat_activity shows who holds what.
/// </summary>
public sealed class SandboxPools(IConfiguration configuration) : IAsyncDisposable
{
    public const string Prefix = "pitfalllab/";
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> pools = new();

    public static string NameOf(string pitfall, string variant) => $"{Prefix}{pitfall}/{variant}";

    public NpgsqlDataSource For(string pitfall, string variant, PoolShape shape)
    {
        var name = NameOf(pitfall, variant);
        return pools.GetOrAdd(name, n => new Lazy<NpgsqlDataSource>(() => Build(n, shape))).Value;
    }

    public IReadOnlyCollection<string> Names => pools.Keys.ToList();

    /// <summary>Drops every sandbox pool: idle connections close now, busy ones when they are returned.</summary>
    public async Task<int> ResetAsync()
    {
        var count = 0;
        foreach (var name in pools.Keys)
        {
            if (pools.TryRemove(name, out var pool) && pool.IsValueCreated)
            {
                await pool.Value.DisposeAsync();
                count++;
            }
        }
        return count;
    }

    /// <summary>Marks every sandbox pool's connections to be closed (idle ones now, busy ones when returned); answers how many pools.</summary>
    public int ClearAll()
    {
        var count = 0;
        foreach (var pool in pools.Values.Where(p => p.IsValueCreated))
        {
            try { pool.Value.Clear(); count++; }
            catch (ObjectDisposedException) { } // /lab/reset disposed it meanwhile: its connections close anyway
        }
        return count;
    }

    public async ValueTask DisposeAsync() => await ResetAsync();

    private NpgsqlDataSource Build(string name, PoolShape shape)
    {
        var builder = new NpgsqlDataSourceBuilder(configuration.GetConnectionString("Lab")) { Name = name };
        var cs = builder.ConnectionStringBuilder;
        cs.ApplicationName = name;
        cs.MaxPoolSize = shape.MaxPoolSize;
        cs.Timeout = shape.TimeoutSeconds;
        cs.CommandTimeout = shape.CommandTimeoutSeconds;
        return builder.Build();
    }
}

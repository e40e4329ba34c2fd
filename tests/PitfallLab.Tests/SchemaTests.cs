namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class SchemaTests(LabFixture lab)
{
    [Fact]
    public async Task SchemaIsSafeForTwoInstancesStartingTogetherAndForASecondRun()
    {
        var database = $"pitfalllab_schema_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(lab.Db.ConnectionString);
        await admin.ExecuteAsync($"CREATE DATABASE {database}");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings__Lab"] = new NpgsqlConnectionStringBuilder(lab.Db.ConnectionString) { Database = database }.ConnectionString,
            };

            // Two instances race on an empty database, then a third applies the schema a second time.
            // When one racer crashes, the one that started must still be stopped.
            Task<ServiceProcess>[] racers = [lab.StartApiAsync(settings), lab.StartApiAsync(settings)];
            try
            {
                await Task.WhenAll(racers);
                await using (await lab.StartApiAsync(settings)) { }
            }
            finally
            {
                foreach (var racer in racers.Where(r => r.IsCompletedSuccessfully))
                    await (await racer).DisposeAsync();
            }

            await using var conn = new NpgsqlConnection(settings["ConnectionStrings__Lab"]);
            Assert.Equal(5000, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM users"));
            Assert.Equal(50000, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM orders"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }
}

namespace PitfallLab.Api.Data;

public static class LabDatabase
{
    public const string ApplicationName = "pitfalllab/lab";

    /// <summary>The lab's own pool (catalog, health, stats). Pitfalls never use it: they get sandbox pools.</summary>
    public static IServiceCollection AddLabDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ =>
        {
            var connectionString = configuration.GetConnectionString("Lab")
                ?? throw new InvalidOperationException(
                    "ConnectionStrings:Lab is not set (environment variable ConnectionStrings__Lab).");
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = ApplicationName };
            builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
            builder.ConnectionStringBuilder.MaxPoolSize = 10;
            return builder.Build();
        });
        services.AddHostedService<SchemaInitializer>();
        return services;
    }
}

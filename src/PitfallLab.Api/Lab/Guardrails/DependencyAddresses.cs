using Microsoft.Extensions.Options;
using PitfallLab.Api.Backend;

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>Where the lab looks for its two dependencies, as an outage answer names them (never the password).</summary>
public sealed class DependencyAddresses(IConfiguration configuration, IOptions<BackendOptions> backend)
{
    public string PostgreSql { get; } = Describe(configuration.GetConnectionString("Lab"));

    public string Backend => backend.Value.BaseUrl;

    private static string Describe(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
            return "(ConnectionStrings:Lab is not set)";
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{cs.Host}:{cs.Port}/{cs.Database}";
    }
}

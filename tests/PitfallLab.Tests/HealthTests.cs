namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class HealthTests(LabFixture lab)
{
    [Fact]
    public async Task HealthIsHealthyWhenTheDatabaseAndTheBackendAnswer()
    {
        var health = await lab.Api.Client.GetJsonAsync("/health");

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("backend").GetProperty("status").GetString());
        Assert.Contains("5000 users", health.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());
    }

    [Fact]
    public async Task HealthIs503NamingTheBackendWhenTheBackendIsDownButLivenessStaysUp()
    {
        await using var api = await lab.StartApiAsync(new Dictionary<string, string>
        {
            ["Backend__BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
        }, readyPath: "/health/live");

        using var ready = await api.Client.GetAsync("/health");
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.Contains("\"backend\":{\"status\":\"Unhealthy\"", body);
        Assert.Contains("\"database\":{\"status\":\"Healthy\"", body);

        using var live = await api.Client.GetAsync("/health/live");
        Assert.True(live.IsSuccessStatusCode);
    }
}

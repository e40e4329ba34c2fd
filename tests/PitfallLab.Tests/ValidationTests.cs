using System.Text.Json;
using PitfallLab.Tests.Fixtures;

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class ValidationTests(LabFixture lab)
{
    [Theory]
    [InlineData("/pitfalls/blocking-io/bad?delayMs=99999", "delayMs", "between 0 and 5000")]
    [InlineData("/pitfalls/blocking-io/good?delayMs=-1", "delayMs", "between 0 and 5000")]
    [InlineData("/pitfalls/blocking-io/offloaded?userId=0", "userId", "between 1 and 5000")]
    [InlineData("/pitfalls/blocking-io/good?userId=abc", "userId", "not a valid int")]
    [InlineData("/pitfalls/blocking-io/bad?delayMs=1e9", "delayMs", "not a valid int")]
    public async Task ApiAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string path, string parameter, string message)
    {
        await AssertValidationProblemAsync(lab.Api.Client, path, parameter, message);
    }

    [Theory]
    [InlineData("/users/1?delayMs=-5", "delayMs")]
    [InlineData("/users/1?delayMs=abc", "delayMs")]
    [InlineData("/users/1?failRate=2", "failRate")]
    [InlineData("/work/1?failIds=3,x", "failIds")]
    [InlineData("/work/1?cap=0", "cap")]
    public async Task BackendAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string path, string parameter)
    {
        await AssertValidationProblemAsync(lab.Backend.Client, path, parameter, message: null);
    }

    private static async Task AssertValidationProblemAsync(HttpClient client, string path, string parameter, string? message)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(400 == (int)response.StatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out var messages), $"errors should name {parameter}: {body}");
        if (message is not null)
            Assert.Contains(message, messages[0].GetString());
    }
}

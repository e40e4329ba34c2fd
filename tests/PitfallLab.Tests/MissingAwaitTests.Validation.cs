using System.Net;

namespace PitfallLab.Tests;

/// <summary>Every field and knob of the order endpoints is validated: a bad one is a 400 ProblemDetails naming it.</summary>
public sealed partial class MissingAwaitTests
{
    [Theory]
    [InlineData("good", """{"userId":0,"amount":5}""", "userId", "between 1 and 5000")]
    [InlineData("bad", """{"userId":5001,"amount":5}""", "userId", "between 1 and 5000")]
    [InlineData("good", """{"userId":1,"amount":0}""", "amount", "between 0.01 and 10000")]
    [InlineData("bad", """{"userId":1,"amount":10000.5}""", "amount", "between 0.01 and 10000")]
    public async Task AnOutOfRangeOrderFieldIsA400NamingIt(string variant, string json, string field, string message)
    {
        using var response = await lab.Api.Client.PostAsync($"/pitfalls/missing-await/{variant}", JsonBody(json));
        var problem = await ProblemAsync(response);
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Theory]
    [InlineData("""{"userId":1,"amount":""")]
    [InlineData("""{"userId":"abc","amount":5}""")]
    [InlineData("not json")]
    public async Task AMalformedOrderBodyIsA400ProblemDetails(string json)
    {
        using var response = await lab.Api.Client.PostAsync("/pitfalls/missing-await/bad", JsonBody(json));
        var problem = await ProblemAsync(response);
        Assert.Contains("request body", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"userId":"abc","amount":5}""", "userId")]
    [InlineData("""{"userId":1,"amount":"lots"}""", "amount")]
    public async Task AMistypedOrderFieldIsA400NamingIt(string json, string field)
    {
        using var response = await lab.Api.Client.PostAsync("/pitfalls/missing-await/good", JsonBody(json));
        var problem = await ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    [Theory]
    [InlineData("/pitfalls/missing-await/good?delayMs=5001", "delayMs")]
    [InlineData("/pitfalls/missing-await/bad?delayMs=-1", "delayMs")]
    [InlineData("/pitfalls/missing-await/bad?delayMs=soon", "delayMs")]
    [InlineData("/pitfalls/missing-await/good?requestKey=", "requestKey")]
    [InlineData("/pitfalls/missing-await/bad?requestKey=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x", "requestKey")]
    public async Task ABadKnobIsA400NamingIt(string path, string parameter)
    {
        using var response = await lab.Api.Client.PostAsync(path, JsonBody("""{"userId":1,"amount":5}"""));
        var problem = await ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"errors should name {parameter}: {problem}");
    }

    [Fact]
    public async Task TheReadRouteAnswers404ForAnUnknownOrderAnd400ForAnIdThatIsNotANumber()
    {
        using var missing = await lab.Api.Client.GetAsync($"/pitfalls/missing-await/orders/{long.MaxValue}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using var malformed = await lab.Api.Client.GetAsync("/pitfalls/missing-await/orders/latest");
        Assert.True((await ProblemAsync(malformed)).GetProperty("errors").TryGetProperty("id", out _));
    }
}

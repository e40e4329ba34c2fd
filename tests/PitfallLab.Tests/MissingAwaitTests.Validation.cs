using System.Net.Http.Json;

namespace PitfallLab.Tests;

/// <summary>Every field and knob of the order endpoints is validated: a bad one is a 400 ProblemDetails naming it.</summary>
public sealed partial class MissingAwaitTests
{
    private const string AnOrder = """{"userId":1,"amount":5}""";

    [Theory]
    [InlineData("good", "", """{"userId":0,"amount":5}""", "userId", "between 1 and 5000")]
    [InlineData("bad", "", """{"userId":5001,"amount":5}""", "userId", "between 1 and 5000")]
    [InlineData("good", "", """{"userId":1,"amount":0}""", "amount", "between 0.01 and 10000")]
    [InlineData("bad", "", """{"userId":1,"amount":10000.5}""", "amount", "between 0.01 and 10000")]
    [InlineData("good", "", """{"userId":"abc","amount":5}""", "userId", null)]
    [InlineData("good", "", """{"userId":1,"amount":"lots"}""", "amount", null)]
    [InlineData("good", "?delayMs=5001", AnOrder, "delayMs", "between 0 and 5000")]
    [InlineData("bad", "?delayMs=-1", AnOrder, "delayMs", "between 0 and 5000")]
    [InlineData("bad", "?delayMs=soon", AnOrder, "delayMs", "not a valid int")]
    [InlineData("good", "?requestKey=", AnOrder, "requestKey", "1 to 100 characters")]
    [InlineData("bad", "?requestKey=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x", AnOrder, "requestKey", "1 to 100 characters")]
    [InlineData("bad", "?requestKey=a%00b", AnOrder, "requestKey", "control character")]
    public async Task AnOrderFieldOrKnobOutsideItsRangeIsA400NamingIt(string variant, string query, string json, string name, string? message) =>
        await lab.Api.Client.AssertValidationProblemAsync($"/pitfalls/missing-await/{variant}{query}", name, message, HttpMethod.Post, JsonBody(json));

    [Theory]
    [InlineData("""{"userId":1,"amount":""")]
    [InlineData("""{"userId":"abc","amount":5}""")]
    [InlineData("not json")]
    public async Task AMalformedOrderBodyIsA400ProblemDetails(string json)
    {
        using var response = await lab.Api.Client.PostAsync("/pitfalls/missing-await/bad", JsonBody(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("request body", (await response.Content.ReadFromJsonAsync<ProblemBody>())?.Detail);
    }

    [Fact]
    public async Task TheReadRouteAnswers404ForAnUnknownOrderAnd400ForAnIdThatIsNotANumber()
    {
        using var missing = await lab.Api.Client.GetAsync($"/pitfalls/missing-await/orders/{long.MaxValue}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        await lab.Api.Client.AssertValidationProblemAsync("/pitfalls/missing-await/orders/latest", "id");
    }

    private sealed record ProblemBody(string? Detail);
}

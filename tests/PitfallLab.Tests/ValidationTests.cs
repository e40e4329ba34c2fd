using System.Globalization;
using System.Net.Http.Json;

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class ValidationTests(LabFixture lab, ITestOutputHelper output)
{
    /// <summary>
    /// Every ranged knob of every pitfall, read from the OpenAPI document (so a new knob is tested the day it is
    /// written): one past each end, and a word where a number belongs, each answer a 400 ProblemDetails naming the
    /// knob, the first two with the range the document states; and no handler ran for any of them (no pitfall's
    /// <c>requests</c> moved: a rejected call starts no query, no charge, no worker).
    /// </summary>
    [Fact]
    public async Task EveryRangedKnobOfEveryPitfallAnswersOutOfRangeAndMalformedValuesWithA400NamingIt()
    {
        var document = await lab.Api.Client.GetJsonAsync("/openapi/v1.json");
        var handledBefore = await RequestsHandledAsync();
        var checkedKnobs = 0;
        foreach (var (path, method, knob, schema) in RangedKnobs(document))
        {
            var (min, max) = (schema.GetProperty("minimum").GetDouble(), schema.GetProperty("maximum").GetDouble());
            var integer = schema.GetProperty("type").EnumerateArray().Any(t => t.GetString() == "integer");
            var range = $"between {Format(min)} and {Format(max)}";
            var step = integer ? 1 : Math.Max((max - min) / 10, 0.001);
            // Past int.MaxValue the value cannot even bind: that 400 says "not a valid int" instead.
            await AssertRejectedAsync(method, $"{path}?{knob}={Format(max + step)}", knob, integer && max >= int.MaxValue ? "not a valid int" : range);
            await AssertRejectedAsync(method, $"{path}?{knob}={Format(min - step)}", knob, range);
            await AssertRejectedAsync(method, $"{path}?{knob}=abc", knob, integer ? "not a valid int" : "not a valid double");
            checkedKnobs++;
        }
        output.WriteLine($"{checkedKnobs} ranged knobs checked, 3 bad values each");
        Assert.True(checkedKnobs >= 30, $"only {checkedKnobs} ranged knobs found in the OpenAPI document");
        Assert.Equal(handledBefore, await RequestsHandledAsync());
    }

    /// <summary>What a range cannot say: text knobs, and numbers written in a form the knob's type refuses.</summary>
    [Theory]
    [InlineData("GET", "/pitfalls/blocking-io/bad?delayMs=1e9", "delayMs", "not a valid int")]
    [InlineData("GET", "/pitfalls/whenall-failures/good?failIds=3,x", "failIds", "comma-separated ids")]
    [InlineData("POST", "/pitfalls/cancellation-leak/abandon?variant=worse", "variant", "bad or good")]
    [InlineData("POST", "/pitfalls/fire-and-forget/bad?failRate=lots", "failRate", "not a valid double")]
    public async Task ApiAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string method, string path, string parameter, string message)
    {
        await AssertRejectedAsync(method.ToLowerInvariant(), path, parameter, message);
    }

    [Theory]
    [InlineData("/users/1?delayMs=-5", "delayMs")]
    [InlineData("/users/1?delayMs=abc", "delayMs")]
    [InlineData("/users/1?failRate=2", "failRate")]
    [InlineData("/work/1?failIds=3,x", "failIds")]
    [InlineData("/work/1?cap=0", "cap")]
    public async Task BackendAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string path, string parameter)
    {
        await lab.Backend.Client.AssertValidationProblemAsync(path, parameter);
    }

    private async Task AssertRejectedAsync(string method, string pathAndQuery, string knob, string message)
    {
        // A POST carries an empty JSON body, so that only the knob under test is wrong.
        using var body = method == "post" ? JsonContent.Create(new { }) : null;
        await lab.Api.Client.AssertValidationProblemAsync(pathAndQuery, knob, message, new HttpMethod(method.ToUpperInvariant()), body);
    }

    /// <summary>Every pitfall variant's <c>requests</c> (counted by each handler's Watch), summed.</summary>
    private async Task<long> RequestsHandledAsync()
    {
        var pitfalls = (await LabStats.ReadAsync(lab.Api.Client)).GetProperty("pitfalls");
        return pitfalls.EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Where(v => v.Value.ValueKind == JsonValueKind.Object).Sum(v => v.Value.Figure("requests"));
    }

    private static IEnumerable<(string Path, string Method, string Knob, JsonElement Schema)> RangedKnobs(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/pitfalls/", StringComparison.Ordinal)))
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post"))
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : default)
                {
                    var schema = parameter.GetProperty("schema");
                    if (parameter.GetProperty("in").GetString() == "query" && schema.TryGetProperty("minimum", out _) && schema.TryGetProperty("maximum", out _))
                        yield return (path.Name.Replace("{id}", "1"), operation.Name, parameter.GetProperty("name").GetString()!, schema);
                }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Net.Http.Json;

namespace PitfallLab.Tests;

public sealed partial class OutageTests
{
    private static readonly object Order = new { userId = 42, amount = 19.99 };

    /// <summary>One request of the sweep; POSTs carry a valid order body (the only POST that reads a body is missing-await's).</summary>
    public sealed record Call(string Method, string Path);

    public sealed record Answer(Call Call, int Status, string? MediaType, string Body, double Ms)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public override string ToString() => $"{Call.Method} {Call.Path} -> {Status} {MediaType} in {Ms:F0} ms: {Body[..Math.Min(Body.Length, 300)]}";
    }

    private static Call Get(string path) => new("GET", path);

    private static Call Post(string path) => new("POST", path);

    private Task<Answer> SendAsync(Call call) => SendAsync(lab.Api.Client, call);

    private async Task<Answer> SendAsync(HttpClient client, Call call)
    {
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
        if (call.Method == "POST")
            request.Content = JsonContent.Create(Order);
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var answer = new Answer(call, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync(), clock.Elapsed.TotalMilliseconds);
        output.WriteLine(answer.ToString());
        return answer;
    }

    /// <summary>A 503 problem+json that names the dependency, the address tried and what to check.</summary>
    private static void AssertOutage(Answer answer, string dependency, string address)
    {
        Assert.True(answer.Status == 503, $"expected a 503 naming {dependency}: {answer}");
        Assert.True(answer.MediaType == "application/problem+json", $"not a ProblemDetails: {answer}");
        Assert.Equal(dependency, answer.Json.GetProperty("dependency").GetString());
        var detail = answer.Json.GetProperty("detail").GetString() ?? "";
        Assert.True(detail.Contains(address, StringComparison.Ordinal), $"the detail should name {address}: {answer}");
        Assert.Contains("./lab status", detail);
    }

    private static void AssertSucceeded(Answer answer) =>
        Assert.True(answer.Status is >= 200 and < 300, $"should have succeeded on its first call: {answer}");

    /// <summary>
    /// Every route of every variant, bad ones included, with their defaults: none may answer a bare 500 while a
    /// dependency is down, and each 503 names the dependency. Designed answers (whenall's 502s, 404s) pass.
    /// </summary>
    private async Task SweepEveryRouteAsync(string dependency, string address)
    {
        var catalog = await lab.Api.Client.GetJsonAsync("/pitfalls");
        var routes = catalog.EnumerateArray()
            .SelectMany(e => e.GetProperty("routes").EnumerateArray())
            .Select(r => new Call(r.GetProperty("method").GetString()!, Concrete(r.GetProperty("path").GetString()!)))
            .Concat([Get("/lab/stats"), Post("/lab/reset")]);
        foreach (var call in routes)
        {
            var answer = await SendAsync(call);
            Assert.True(answer.Status != 500, $"a bare 500 while {dependency} is down: {answer}");
            if (answer.Status == 503)
                AssertOutage(answer, dependency, address);
        }
    }

    // Route templates name an id: any well-formed one does (a missing one is a designed 404).
    private static string Concrete(string template) => template
        .Replace("/orders/{id}", "/orders/1", StringComparison.Ordinal)
        .Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
}

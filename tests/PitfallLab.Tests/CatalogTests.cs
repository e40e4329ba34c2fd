namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class CatalogTests(LabFixture lab)
{
    private static readonly string[] EntryFields =
        ["id", "number", "title", "asyncioOriginal", "dotnetMechanism", "symptom", "fix", "analyzerRules", "routes", "k6Script", "metric"];

    [Fact]
    public async Task CatalogListsBlockingIoWithEveryFieldTheSpecNames()
    {
        var catalog = await lab.Api.Client.GetJsonAsync("/pitfalls");

        var entry = Assert.Single(catalog.EnumerateArray(), e => e.GetProperty("id").GetString() == "blocking-io");
        foreach (var field in EntryFields)
            Assert.True(entry.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null, $"field {field} is missing");
        Assert.Equal(1, entry.GetProperty("number").GetInt32());
        Assert.Contains("CA1849", entry.GetProperty("analyzerRules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["bad", "good", "offloaded"], entry.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("variant").GetString()).Order());
    }

    [Fact]
    public async Task EveryEntryIsCompleteInSpecOrderAndEveryRouteItNamesIsInTheOpenApiDocumentUnderItsTag()
    {
        var catalog = (await lab.Api.Client.GetJsonAsync("/pitfalls")).EnumerateArray().ToList();
        var document = await lab.Api.Client.GetJsonAsync("/openapi/v1.json");
        var tags = document.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToHashSet();

        var numbers = catalog.Select(e => e.GetProperty("number").GetInt32()).ToList();
        Assert.Equal(numbers.Order().Distinct(), numbers);
        foreach (var entry in catalog)
        {
            var id = entry.GetProperty("id").GetString();
            foreach (var field in EntryFields)
                Assert.True(entry.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null, $"{id}: field {field} is missing");
            var tag = $"{entry.GetProperty("number").GetInt32():00} {id}";
            Assert.Contains(tag, tags);

            var routes = entry.GetProperty("routes").EnumerateArray().ToList();
            Assert.Contains(routes, r => r.GetProperty("variant").GetString() == "bad");
            Assert.Contains(routes, r => r.GetProperty("variant").GetString() == "good");
            foreach (var route in routes)
            {
                var path = route.GetProperty("path").GetString()!;
                var method = route.GetProperty("method").GetString()!.ToLowerInvariant();
                var found = document.GetProperty("paths").TryGetProperty(path, out var item);
                Assert.True(found && item.TryGetProperty(method, out _), $"{id}: {method} {path} is not in the OpenAPI document");
                var operation = item.GetProperty(method);
                Assert.Contains(tag, operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            }
        }
    }

    [Fact]
    public async Task OneEntryIsServedByIdAndAnUnknownIdIsA404ProblemDetails()
    {
        var entry = await lab.Api.Client.GetJsonAsync("/pitfalls/blocking-io");
        Assert.Equal("k6/pitfalls/blocking-io.js", entry.GetProperty("k6Script").GetString());

        using var missing = await lab.Api.Client.GetAsync("/pitfalls/no-such-pitfall");
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("blocking-io", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SwaggerUiServesTheOpenApiDocumentWhoseTagsCarryEachLesson()
    {
        using var ui = await lab.Api.Client.GetAsync("/swagger/index.html");
        Assert.True(ui.IsSuccessStatusCode);

        var document = await lab.Api.Client.GetJsonAsync("/openapi/v1.json");
        var tag = Assert.Single(document.GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "01 blocking-io");
        Assert.Contains("run_in_executor", tag.GetProperty("description").GetString());
        var bad = document.GetProperty("paths").GetProperty("/pitfalls/blocking-io/bad").GetProperty("get");
        Assert.Contains("HttpClient.Send", bad.GetProperty("description").GetString());
    }

    [Fact]
    public async Task RootLeadsANewcomerToSwaggerOrTheCatalog()
    {
        var home = await lab.Api.Client.GetJsonAsync("/");
        Assert.Equal("/swagger", home.GetProperty("swagger").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html");
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = lab.Api.BaseAddress };
        using var browser = await noRedirects.SendAsync(request);
        Assert.Equal("/swagger", browser.Headers.Location?.ToString());
    }
}

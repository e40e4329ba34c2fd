using System.Text.Json;

namespace PitfallLab.Tests.Fixtures;

public static class Problems
{
    /// <summary>
    /// GET (or <paramref name="method"/>, with <paramref name="content"/> as its body when given) <paramref name="path"/> must answer 400 application/problem+json whose <c>errors</c> names
    /// <paramref name="parameter"/>, and when given, whose first message for it contains <paramref name="message"/>.
    /// </summary>
    public static async Task AssertValidationProblemAsync(this HttpClient client, string path, string parameter, string? message = null, HttpMethod? method = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path) { Content = content };
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(400 == (int)response.StatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out var messages), $"errors should name {parameter}: {body}");
        if (message is not null)
            Assert.Contains(message, messages[0].GetString());
    }
}

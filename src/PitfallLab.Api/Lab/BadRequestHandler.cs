using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace PitfallLab.Api.Lab;

/// <summary>
/// Malformed input (delayMs=abc, a body that is not JSON, "userId": "abc") fails in parameter binding, before validation:
/// answer it as a 400 ProblemDetails whose <c>errors</c> names the parameter or body field, never an empty 400 or a 500.
/// </summary>
public sealed partial class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
            return false;

        var problem = new HttpValidationProblemDetails
        {
            Status = bad.StatusCode,
            Title = "The request is malformed",
            Detail = bad.Message,
        };
        if (BindFailure().Match(bad.Message) is { Success: true } m)
            problem.Errors[ProblemKeys.CamelCase(m.Groups["name"].Value)] =
                [$"'{m.Groups["value"].Value}' is not a valid {Unwrap(m.Groups["type"].Value)}; see the allowed range in /openapi/v1.json."];
        else if (bad.InnerException is JsonException { Path: ['$', '.', .. var field] } json)
            problem.Errors[field] = [$"{json.Message.Split(" Path:")[0]} See the body's schema in /openapi/v1.json."];

        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = problem });
    }

    /// <summary><c>Nullable&lt;int&gt;</c> → <c>int</c>: the client sent a number, whether or not the knob may be absent.</summary>
    private static string Unwrap(string type) => type.StartsWith("Nullable<", StringComparison.Ordinal) ? type["Nullable<".Length..^1] : type;

    [GeneratedRegex("""parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.?$""")]
    private static partial Regex BindFailure();
}

public static class ProblemKeys
{
    /// <summary>Validation names C# properties (DelayMs); the client sent the query parameter (delayMs).</summary>
    public static void UseQueryNames(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is not HttpValidationProblemDetails validation)
            return;
        var renamed = validation.Errors.ToDictionary(e => CamelCase(e.Key), e => e.Value);
        validation.Errors.Clear();
        foreach (var (key, messages) in renamed)
            validation.Errors[key] = messages;
    }

    public static string CamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

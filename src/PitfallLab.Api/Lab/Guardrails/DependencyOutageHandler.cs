using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace PitfallLab.Api.Lab.Guardrails;

/// <summary>
/// The lab's answer when PostgreSQL or the backend is down, for every endpoint (the pitfalls' handlers stay as the
/// lesson has them): a 503 ProblemDetails that names the dependency, the address tried and what to check, or a 502
/// when the backend answered but broke. Without it such a failure is a bare 500 "An error occurred...". What the
/// pitfalls answer on purpose (whenall-failures' 502, a 409, a 400) never reaches an exception handler.
/// It clears no pool: one killed session (missing-await's guard ends some) is no outage; <see cref="PostgresWatch"/>
/// clears them when the server itself goes away.
/// </summary>
public sealed class DependencyOutageHandler(
    IProblemDetailsService problems, DependencyAddresses addresses, ILogger<DependencyOutageHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.RequestAborted.IsCancellationRequested || Outage.Find(exception, addresses) is not { } outage)
            return false;

        var logName = outage.Dependency == Outage.PostgreSql ? "postgres" : "backend";
        logger.LogWarning("{Method} {Path}: {Dependency} at {Address}: {Error}",
            context.Request.Method, context.Request.Path, outage.Dependency, outage.Address, outage.Error);

        var problem = new ProblemDetails
        {
            Status = outage.Status,
            Title = outage.Title,
            Detail = $"This request needs {outage.Dependency} at {outage.Address} and got: {outage.Error.TrimEnd('.')}. " +
                     $"Check that it runs: ./lab status, then ./lab logs {logName}.",
            Extensions =
            {
                ["dependency"] = outage.Dependency,
                ["address"] = outage.Address,
                ["check"] = $"./lab status; ./lab logs {logName}",
                ["error"] = outage.Error,
            },
        };
        context.Response.StatusCode = outage.Status;
        if (outage.Status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = problem });
    }
}

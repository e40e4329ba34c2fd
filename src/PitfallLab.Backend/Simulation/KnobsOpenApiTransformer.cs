using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PitfallLab.Backend.Simulation;

/// <summary>Documents the knobs with their real types, ranges and meaning.</summary>
/// <remarks>
/// The knobs bind as strings so that bad input reaches our validation; without this transformer the
/// OpenAPI document would call them all strings, and Swagger UI would show no hint of what they do.
/// </remarks>
internal sealed class KnobsOpenApiTransformer : IOpenApiOperationTransformer
{
    private sealed record Knob(string Description, JsonSchemaType Type, string? Min = null, string? Max = null, JsonNode? Default = null);

    private static readonly Dictionary<string, Knob> Knobs = new(StringComparer.Ordinal)
    {
        ["id"] = new("Any 32-bit integer. A non-integer id gets a 400 naming id.", JsonSchemaType.Integer),
        ["delayMs"] = new("How long the call takes, in ms (awaited, cancelled if the caller disconnects).",
            JsonSchemaType.Integer, "0", $"{KnobLimits.MaxDelayMs}", 0),
        ["jitterMs"] = new("Adds a random 0..jitterMs ms to delayMs (repeatable per id when seed is set).",
            JsonSchemaType.Integer, "0", $"{KnobLimits.MaxJitterMs}", 0),
        ["failIds"] = new($"Comma-separated ids that always fail with 500 (reason failIds), e.g. 3,7. At most {KnobLimits.MaxFailIds} ids.",
            JsonSchemaType.String),
        ["failRate"] = new("Probability 0..1 that the call fails with 500 (reason failRate).",
            JsonSchemaType.Number, "0", "1", 0),
        ["seed"] = new("Makes the failRate decision and the jitter a pure function of (seed, id): same id, same answer. Absent: truly random.",
            JsonSchemaType.Integer),
        ["failAfterMs"] = new("A failing call answers after this many ms; 0 (default) fails fast.",
            JsonSchemaType.Integer, "0", $"{KnobLimits.MaxDelayMs}", 0),
        ["cap"] = new("Overrides the server-wide concurrency cap (Simulator:ConcurrencyCap) for this call: beyond it, 429.",
            JsonSchemaType.Integer, "1", $"{KnobLimits.MaxCap}"),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name is null || !Knobs.TryGetValue(parameter.Name, out var knob))
            {
                continue;
            }

            parameter.Description = knob.Description;
            parameter.Schema = new OpenApiSchema
            {
                Type = knob.Type,
                Format = knob.Type switch { JsonSchemaType.Integer => "int32", JsonSchemaType.Number => "double", _ => null },
                Minimum = knob.Min,
                Maximum = knob.Max,
                Default = knob.Default,
            };
        }

        return Task.CompletedTask;
    }
}

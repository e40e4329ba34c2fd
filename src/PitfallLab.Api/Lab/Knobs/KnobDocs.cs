using System.Reflection;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PitfallLab.Api.Lab.Knobs;

/// <summary>
/// Documents every knob from its attribute alone: the query parameter gets its camelCase name and the text
/// "What it does. Allowed: between 0 and 5000; default 100.", a body field the same text.
/// </summary>
public sealed class KnobDocs : IOpenApiOperationTransformer, IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var described in context.Description.ParameterDescriptions)
        {
            if (described.ParameterDescriptor is not IParameterInfoParameterDescriptor { ParameterInfo: var info }
                || info.GetCustomAttributes(true).OfType<IKnob>().FirstOrDefault() is not { } knob)
                continue;
            var parameter = operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == described.Name);
            if (parameter is null) continue;
            parameter.Name = KnobName.Of(described.Name);
            parameter.Description = Text(knob, info.HasDefaultValue ? info.DefaultValue : null);
        }
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(true).OfType<IKnob>().FirstOrDefault() is { } knob)
            schema.Description = Text(knob, null);
        return Task.CompletedTask;
    }

    public static string Text(IKnob knob, object? defaultValue) =>
        $"{knob.Description} Allowed: {knob.Rule}{(defaultValue is null ? "" : $"; default {defaultValue}")}.";
}

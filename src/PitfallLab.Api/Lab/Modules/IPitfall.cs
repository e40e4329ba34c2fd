namespace PitfallLab.Api.Lab.Modules;

/// <summary>
/// One pitfall, whole: its catalog entry (the lesson), its services and its endpoints. The host finds every
/// implementation in this assembly (<see cref="PitfallModules"/>), gives each the group <c>/pitfalls/{id}</c>
/// tagged with its lesson, and builds the catalog from the lesson plus the endpoints <see cref="Map"/> added.
/// Adding a pitfall is one new folder with one of these in it; nothing shared is edited.
/// </summary>
public interface IPitfall
{
    PitfallEntry Entry { get; }

    /// <summary>The pitfall's own services (guardrails, workers, options); most need none.</summary>
    void AddServices(IServiceCollection services) { }

    /// <summary>Maps the variants on <paramref name="group"/> (<c>/pitfalls/{id}</c>): <c>group.MapGet("/bad", Bad)</c>...</summary>
    void Map(RouteGroupBuilder group);
}

using PitfallLab.Api.Pitfalls.BlockingIo;
using PitfallLab.Api.Pitfalls.MissingAwait;

namespace PitfallLab.Api.Lab;

/// <summary>The implemented pitfalls, in the spec's order. Adding a pitfall adds its entry here.</summary>
public static class PitfallCatalog
{
    public static IReadOnlyList<PitfallEntry> All { get; } =
    [
        BlockingIoEntry.Value,
        MissingAwaitEntry.Value,
    ];

    public static PitfallEntry? Find(string id) =>
        All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
}

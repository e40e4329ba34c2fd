using PitfallLab.Api.Pitfalls.BlockingIo;
using PitfallLab.Api.Pitfalls.MissingAwait;
using PitfallLab.Api.Pitfalls.WhenAllFailures;
using PitfallLab.Api.Pitfalls.ShutdownCleanup;
using PitfallLab.Api.Pitfalls.UnboundedConcurrency;
using PitfallLab.Api.Pitfalls.SyncOverAsync;
using PitfallLab.Api.Pitfalls.CancellationLeak;
using PitfallLab.Api.Pitfalls.BusyPolling;
using PitfallLab.Api.Pitfalls.SharedConnection;
using PitfallLab.Api.Pitfalls.FireAndForget;

namespace PitfallLab.Api.Lab;

/// <summary>The implemented pitfalls, in the spec's order. Adding a pitfall adds its entry here.</summary>
public static class PitfallCatalog
{
    public static IReadOnlyList<PitfallEntry> All { get; } =
    [
        BlockingIoEntry.Value,
        MissingAwaitEntry.Value,
        WhenAllFailuresEntry.Value,
        ShutdownCleanupEntry.Value,
        UnboundedConcurrencyEntry.Value,
        SyncOverAsyncEntry.Value,
        CancellationLeakEntry.Value,
        BusyPollingEntry.Value,
        SharedConnectionEntry.Value,
        FireAndForgetEntry.Value,
    ];

    public static PitfallEntry? Find(string id) =>
        All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
}

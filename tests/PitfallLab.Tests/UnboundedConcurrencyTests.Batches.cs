namespace PitfallLab.Tests;

/// <summary>How the tests run a batch and read its observation, and what the backend counted meanwhile.</summary>
public sealed partial class UnboundedConcurrencyTests
{
    private sealed record Batch(JsonElement Observation)
    {
        public JsonElement Result => Observation.GetProperty("result");
        private JsonElement Evidence => Observation.GetProperty("evidence");

        public double ElapsedMs => Observation.GetProperty("elapsedMs").GetDouble();
        public int Succeeded => Result.GetProperty("succeeded").GetInt32();
        public int MaxItemsInFlight => Evidence.GetProperty("maxItemsInFlight").GetInt32();
        public int MaxBackendInFlight => Evidence.GetProperty("maxBackendInFlight").GetInt32();
        public int Failures(string cause) => Evidence.GetProperty("failures").GetProperty(cause).GetInt32();
        public string FirstError(string cause) => Evidence.GetProperty("firstErrors").GetProperty(cause).GetString()!;

        public override string ToString() =>
            $"{ElapsedMs:F0} ms, ok {Succeeded}/{Result.GetProperty("items").GetInt32()}, " +
            $"pool exhausted {Failures("poolExhausted")}, 429 {Failures("tooManyRequests")}, other {Failures("other")}, " +
            $"max in flight: items {MaxItemsInFlight}, backend calls {MaxBackendInFlight}, " +
            $"longest connection wait {Evidence.GetProperty("maxConnectionWaitMs").GetDouble():F0} ms";
    }

    /// <summary>The backend's own figures for one batch: its stats are reset just before it, once idle (the tests run one at a time).</summary>
    private sealed record BackendCount(long MaxInFlight, long TooManyRequests)
    {
        public override string ToString() => $"max in flight {MaxInFlight}, 429 answered {TooManyRequests}";
    }

    private async Task<Batch> RunAsync(string path) => new(await lab.Api.Client.GetJsonAsync(path));

    private async Task<(Batch Batch, BackendCount Backend)> RunCountedByBackendAsync(string path)
    {
        await lab.Backend.ResetWhenIdleAsync();
        var batch = await RunAsync(path);
        var stats = await lab.Backend.AfterAsync(calls: 0); // every call of the batch has ended there
        var tooMany = stats.GetProperty("byStatus").TryGetProperty("429", out var count) ? count.GetInt64() : 0;
        return (batch, new BackendCount(stats.GetProperty("maxInFlight").GetInt64(), tooMany));
    }
}

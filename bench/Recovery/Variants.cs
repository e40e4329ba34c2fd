namespace PitfallLab.Bench.Recovery;

/// <summary>
/// One bad variant at its k6 script's default load (k6/pitfalls/&lt;id&gt;.js DEFAULTS), and its good counterpart.
/// <c>Latency</c> marks the pitfalls whose lesson is latency: their bad p95 must be at least 10x good's.
/// <c>Evidence</c> names a number in each observation's evidence to average (busy-polling: queries per wait).
/// <c>FollowUp</c>, for a pitfall whose damage is to the bad variant's own pool, is a quick call to bad that must
/// succeed again before the lab counts as recovered (cancellation-leak: its pool is free of leaked connections).
/// </summary>
public sealed record BadVariant(
    string Pitfall, string Variant, string Method, string Query, double Rate, double Seconds, double TimeoutSeconds,
    bool Latency = false, string? Body = null, string? Evidence = null, string? FollowUp = null)
{
    public string Name => $"{Pitfall}/{Variant}";
    /// <summary>With a follow-up, good's calls (its baseline and the recovery probe) are the quick follow-up too.</summary>
    public string Path(string variant)
    {
        var query = variant == "good" && FollowUp is not null ? FollowUp : Query;
        return $"/pitfalls/{Pitfall}/{variant}{(query.Length > 0 ? "?" + query : "")}";
    }

    public TimeSpan TimeoutFor(string variant) =>
        TimeSpan.FromSeconds(variant == Variant ? TimeoutSeconds : Math.Max(TimeoutSeconds, 5));

    /// <summary>The i-th request; <c>{i}</c> in the query or body becomes a seeded user id (1..5000), <c>{n}</c> a unique number.</summary>
    public HttpRequestMessage Request(string variant, int i)
    {
        string Fill(string text) => text.Replace("{i}", (1 + i % 5000).ToString(), StringComparison.Ordinal)
            .Replace("{n}", $"{Environment.ProcessId}-{Environment.TickCount64}-{i}", StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(Method), Fill(Path(variant)));
        if (Body is not null)
            request.Content = new StringContent(Fill(Body), System.Text.Encoding.UTF8, "application/json");
        return request;
    }
}

public static class BadVariants
{
    public static IReadOnlyList<BadVariant> All { get; } =
    [
        new("blocking-io", "bad", "GET", "delayMs=500&userId={i}", 100, 20, 10, Latency: true),
        new("blocking-io", "offloaded", "GET", "delayMs=500&userId={i}", 100, 20, 10, Latency: true),
        new("missing-await", "bad", "POST", "delayMs=50&requestKey=bench-{n}", 50, 20, 10,
            Body: """{"userId": {i}, "amount": 19.99}"""),
        new("whenall-failures", "bad", "GET", "count=10&failRate=0.05&delayMs=100&failAfterMs=20&failIds=", 20, 20, 5),
        new("unbounded-concurrency", "bad", "GET", "items=50&queryMs=5&delayMs=50&cap=20", 1, 20, 10),
        new("sync-over-async", "bad", "GET", "delayMs=100&userId={i}", 100, 20, 10, Latency: true),
        new("busy-polling", "bad", "POST", "jobMs=300", 100, 20, 10, Evidence: "queriesWhileWaiting"),
        new("shutdown-cleanup", "bad", "POST", "jobs=12&concurrency=4&jobMs=1000&stopAfterMs=1500&shutdownTimeoutMs=1000", 1, 10, 30),
        new("shared-connection", "bad", "GET", "lookups=10&firstUserId=100", 20, 20, 5),
        // Each report is abandoned after 500 ms (the k6 script's GIVE_UP_MS), as its clients do.
        new("cancellation-leak", "bad", "GET", "queryMs=1500&delayMs=1000", 3, 20, 0.5, FollowUp: "queryMs=0&delayMs=0"),
        new("fire-and-forget", "bad", "POST", "customerId={i}&failRate=0.5&delayMs=100", 20, 20, 10),
    ];
}

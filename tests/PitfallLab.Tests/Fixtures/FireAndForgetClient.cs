namespace PitfallLab.Tests.Fixtures;

/// <summary>A client of the fire-and-forget pitfall: charge, follow a charge to its end, read the pitfall's tallies.</summary>
public static class FireAndForgetClient
{
    public const string Id = "fire-and-forget";
    public const string Root = $"/pitfalls/{Id}";

    /// <summary>How long a test waits for a charge, a log line or a collection to happen in the background.</summary>
    public static readonly TimeSpan JobPatience = TimeSpan.FromSeconds(20);

    public sealed record Accepted(Guid Id, string? Location);

    /// <summary>POSTs a charge and asserts the 202 observation, whose statusUrl must agree with its Location header.</summary>
    public static async Task<Accepted> ChargeAsync(this ServiceProcess api, string variant, string query)
    {
        using var response = await api.Client.PostAsync($"{Root}/{variant}?{query}", content: null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{variant}?{query} answered {(int)response.StatusCode}: {body}");
        var observation = JsonDocument.Parse(body).RootElement;
        Assert.Equal(variant, observation.GetProperty("variant").GetString());
        var result = observation.GetProperty("result");
        var location = response.Headers.Location?.ToString();
        Assert.Equal(location, result.GetProperty("statusUrl").GetString());
        return new Accepted(result.GetProperty("chargeId").GetGuid(), location);
    }

    public static async Task<JsonElement> FinishedJobAsync(this ServiceProcess api, Guid id)
    {
        JsonElement job = default;
        await Eventually.HoldsAsync(async () =>
        {
            job = await api.Client.GetJsonAsync($"{Root}/jobs/{id}");
            return job.GetProperty("status").GetString() is "done" or "failed";
        }, JobPatience, $"job {id} finishes");
        return job;
    }

    /// <summary>How a client following a charge sees it end: done, failed (with its error), or unknown (no job to ask about).</summary>
    public static async Task<string> OutcomeAsync(this ServiceProcess api, Guid id)
    {
        string? outcome = null;
        await Eventually.HoldsAsync(async () => (outcome = await EndedAsync(api, id)) is not null, JobPatience, $"charge {id} ends or proves unknown");
        return outcome!;
    }

    private static async Task<string?> EndedAsync(ServiceProcess api, Guid id)
    {
        using var response = await api.Client.GetAsync($"{Root}/jobs/{id}");
        if (response.StatusCode == HttpStatusCode.NotFound) return "unknown";
        var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var status = job.GetProperty("status").GetString()!;
        return status == "done" || (status == "failed" && job.GetProperty("error").GetString() is { Length: > 0 }) ? status : null;
    }

    public sealed record RateRun(IReadOnlyList<string> Outcomes, long FailuresHappened, long FailuresVisible, double AcceptP50Ms, double AcceptMaxMs);

    /// <summary>Charges at a fixed rate, as k6's constant-arrival-rate does, and follows each charge to its end.</summary>
    public static async Task<RateRun> ChargeAtRateAsync(this ServiceProcess api, string variant, int charges, int rate, Func<int, string> query)
    {
        var before = await api.TallyAsync(variant);
        var results = await Arrivals.AtRateAsync(rate, charges, async i =>
        {
            var started = Stopwatch.GetTimestamp();
            var charge = await api.ChargeAsync(variant, query(i));
            var acceptMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return (Outcome: await api.OutcomeAsync(charge.Id), AcceptMs: acceptMs);
        });
        var after = await api.RanToTheEndAsync(variant, before, charges);
        var accept = results.Select(r => r.AcceptMs).Order().ToList();
        return new RateRun(results.Select(r => r.Outcome).ToList(), Delta(before, after, "failuresHappened"),
            Delta(before, after, "failuresVisible"), accept[accept.Count / 2], accept[^1]);
    }

    /// <summary>Waits until the lab, which counts inside the charge itself, has seen every charge end: only the lab can know.</summary>
    public static async Task<JsonElement> RanToTheEndAsync(this ServiceProcess api, string variant, JsonElement before, int charges)
    {
        JsonElement now = default;
        await Eventually.HoldsAsync(async () =>
        {
            now = await api.TallyAsync(variant);
            return Delta(before, now, "failuresHappened") + Delta(before, now, "succeeded") == charges;
        }, JobPatience, $"every {variant} charge ran to its end");
        return now;
    }

    /// <summary>One variant's totals under pitfalls.fire-and-forget in /lab/stats.</summary>
    public static Task<JsonElement> TallyAsync(this ServiceProcess api, string variant) => LabStats.VariantAsync(api.Client, Id, variant);

    /// <summary>pitfalls.fire-and-forget with both variants present (a variant nothing has counted yet reads as 0s).</summary>
    public static JsonElement Pitfall(JsonElement labStats)
    {
        var figures = labStats.Pitfall(Id);
        return JsonSerializer.SerializeToElement(new { bad = figures.Variant("bad"), good = figures.Variant("good") });
    }

    public static long Delta(JsonElement before, JsonElement after, string figure) => after.Figure(figure) - before.Figure(figure);

    /// <summary>The charges that wrote their paid order, the job's effect when the backend accepts it.</summary>
    public static async Task<HashSet<Guid>> PaidAsync(string connectionString, IEnumerable<Guid> chargeIds)
    {
        const string prefix = "fire-and-forget/";
        await using var db = new NpgsqlConnection(connectionString);
        var keys = chargeIds.Select(id => prefix + id).ToArray();
        var paid = await db.QueryAsync<string>("SELECT request_key FROM orders WHERE request_key = ANY(@keys) AND status = 'paid'", new { keys });
        return paid.Select(key => Guid.Parse(key[prefix.Length..])).ToHashSet();
    }
}

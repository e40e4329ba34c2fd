using System.Diagnostics;

namespace PitfallLab.Bench.Recovery;

/// <summary>How long `./lab down` takes while blocking-io/bad is under its k6 load, then `./lab up` again.</summary>
public static class LabDown
{
    public static async Task<string> UnderLoadAsync(HttpClient http, string labScript, Stopwatch clock)
    {
        var bad = BadVariants.All[0];
        var load = OpenLoop.RunAsync(http, i => bad.Request(bad.Variant, i), bad.Rate, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(bad.TimeoutSeconds), clock);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var down = Stopwatch.StartNew();
        var exit = await RunAsync(labScript, "down");
        var downSeconds = down.Elapsed.TotalSeconds;
        await load;
        var up = await RunAsync(labScript, "up");
        return $"./lab down under {bad.Name} load ({bad.Rate}/s): {downSeconds:F1} s (exit {exit}); ./lab up again: exit {up}";
    }

    private static async Task<int> RunAsync(string script, string verb)
    {
        using var process = Process.Start(new ProcessStartInfo(script, verb) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {script}");
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        await drain;
        return process.ExitCode;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using PitfallLab.Worker.Guardrails;

namespace PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

/// <summary>
/// One run of PitfallLab.Worker as a real process: started with the variant and the knobs, read line by line (its
/// <c>lab:</c> protocol lines say when it took its jobs and which backends they hold), stopped with a real SIGTERM,
/// and killed when it outlives the bound. Disposing it kills a worker that is still alive: it never outlives the request.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process process;
    private readonly TaskCompletionSource<int> enqueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, byte> backendPids = new();
    private readonly ConcurrentQueue<string> afterSigterm = new();
    private volatile bool sigtermSent;

    private WorkerProcess(Process process) => this.process = process;

    public int Pid => process.Id;
    public IReadOnlyCollection<int> BackendPids => backendPids.Keys.ToList();
    public IReadOnlyList<string> SaidAfterSigterm => afterSigterm.ToList();

    public static WorkerProcess Start(string variant, Guid runId, ShutdownKnobs knobs, string connectionString)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PitfallLab.Worker.dll");
        var info = new ProcessStartInfo(DotnetHost())
        {
            // stdin stays open for the run: the worker exits by itself if the API dies and its end of the pipe closes.
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in new Dictionary<string, object>
        {
            ["Variant"] = variant, ["RunId"] = runId, ["Jobs"] = knobs.Jobs, ["Concurrency"] = knobs.Concurrency,
            ["JobMs"] = knobs.JobMs, ["ShutdownTimeoutMs"] = knobs.ShutdownTimeoutMs,
        })
        {
            info.ArgumentList.Add($"--{key}");
            info.ArgumentList.Add(value.ToString()!);
        }
        info.Environment["ConnectionStrings__Lab"] = connectionString;
        info.Environment["DOTNET_NOLOGO"] = "1";

        var worker = new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start PitfallLab.Worker"));
        worker.process.OutputDataReceived += (_, e) => worker.Read(e.Data);
        worker.process.ErrorDataReceived += (_, e) => worker.Read(e.Data);
        worker.process.BeginOutputReadLine();
        worker.process.BeginErrorReadLine();
        _ = worker.process.WaitForExitAsync().ContinueWith(
            _ => worker.enqueued.TrySetException(new InvalidOperationException($"the worker exited with code {worker.process.ExitCode} before it took its jobs")),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return worker;
    }

    /// <summary>How many jobs the worker took, once it says so (bounded: a worker that never does is an error).</summary>
    public Task<int> EnqueuedAsync(TimeSpan limit, CancellationToken ct) => enqueued.Task.WaitAsync(limit, ct);

    /// <summary>Sends SIGTERM and waits for the exit; past <paramref name="killAfter"/> the lab kills the process.</summary>
    public async Task<(double StopMs, int? ExitCode, bool Killed)> StopAsync(TimeSpan killAfter)
    {
        var clock = Stopwatch.StartNew();
        sigtermSent = true;
        if (Kill(process.Id, SigTerm) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        var killed = false;
        try { await process.WaitForExitAsync().WaitAsync(killAfter); }
        catch (TimeoutException)
        {
            killed = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        // WaitForExitAsync also waited for the end of the redirected output: every line the worker printed is read.
        return (Math.Round(clock.Elapsed.TotalMilliseconds, 1), killed ? null : process.ExitCode, killed);
    }

    private void Read(string? line)
    {
        if (line is null) return;
        if (sigtermSent && afterSigterm.Count < 40) afterSigterm.Enqueue(line);
        if (!line.StartsWith(Protocol.Prefix, StringComparison.Ordinal)) return;
        var words = line[Protocol.Prefix.Length..].Split(' ');
        if (words is ["enqueued", var n] && int.TryParse(n, out var jobs)) enqueued.TrySetResult(jobs);
        else if (words is ["job", _, "backend", var pid] && int.TryParse(pid, out var backend)) backendPids.TryAdd(backend, 0);
    }

    // `dotnet PitfallLab.Worker.dll` with the host that runs the API (the lab's and the image's way), else dotnet on PATH.
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    // .NET can send SIGKILL (Process.Kill) but not SIGTERM: libc's kill(2) does. The lab runs on Linux.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

using System.Collections.Concurrent;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// One of the lab's services as a real process on a loopback port: the API's thread pool must be its own,
/// not the test runner's, or starvation in one would distort the other.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ServiceProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        this.process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2000 })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public int ProcessId => process.Id;
    public HttpClient Client { get; }
    public string RecentOutput => string.Join('\n', output);

    /// <summary>Writes the process's recent output to a test's log: when an answer was not what it should be, it names the exception.</summary>
    public void ShowOutput(ITestOutputHelper testOutput) => testOutput.WriteLine($"{Name} output around the run:\n{RecentOutput}");

    /// <summary>CPU time the process has used so far, all threads, user and system, as the OS counts it: a load's cost that no clock skew or busy neighbour inflates.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Starts <paramref name="project"/> on <paramref name="port"/> (a free one when null) and waits for <paramref name="healthPath"/>.</summary>
    public static Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment, string healthPath = "/health", int? port = null)
    {
        var dll = RepoPaths.ServiceDll(project);
        var url = $"http://127.0.0.1:{port ?? FreePort.Next()}";
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        return StartAsync(project, info, new Uri(url), healthPath, TimeSpan.FromSeconds(90));
    }

    /// <summary>Starts any program that serves HTTP at <paramref name="baseAddress"/>, keeping its output, and waits for <paramref name="healthPath"/>.</summary>
    public static async Task<ServiceProcess> StartAsync(string name, ProcessStartInfo info, Uri baseAddress, string healthPath, TimeSpan limit)
    {
        (info.RedirectStandardOutput, info.RedirectStandardError, info.UseShellExecute) = (true, true, false);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        var service = new ServiceProcess(name, process, baseAddress);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await service.WaitHealthyAsync(healthPath, limit);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private async Task WaitHealthyAsync(string path, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < limit)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode}:\n{RecentOutput}");
            try
            {
                using var response = await Client.GetAsync(path);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex) { last = ex.Message; }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} not healthy at {BaseAddress}{path} after {limit.TotalSeconds}s (last: {last}):\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200 && output.TryDequeue(out _)) { }
    }

    /// <summary>Kills the process and its children, if still running, waits for it, and disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

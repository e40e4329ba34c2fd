namespace PitfallLab.Api.Pitfalls.ShutdownCleanup.Guardrails;

/// <summary>
/// At most <see cref="Max"/> workers at once, both variants together: each is a process with up to 10 connections,
/// so a burst of clicks or a k6 run cannot fill the machine. Beyond it the endpoint answers 503 at once.
/// </summary>
public sealed class WorkerSlots : IDisposable
{
    public const int Max = 6;
    private readonly SemaphoreSlim slots = new(Max, Max);

    public bool TryEnter() => slots.Wait(0);

    public void Release() => slots.Release();

    public void Dispose() => slots.Dispose();
}

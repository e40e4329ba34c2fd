namespace PitfallLab.Bench.Recovery;

/// <summary>One variant's figures in one run, printed as one line of the bench's table.</summary>
public sealed record Row(int Run, BadVariant Bad, double PoolWaitSeconds, Phase Good, Phase Load, double? Recovery,
    int? ThreadsBefore, int? ThreadsAtEnd, int? ThreadsAfter)
{
    public const double RecoveryObjectiveSeconds = 5;
    public const double LatencyRatioObjective = 10;

    public double Ratio => Load.Load.P95 / Good.Load.P95;

    public bool Passed => Recovery is <= RecoveryObjectiveSeconds && (!Bad.Latency || Ratio >= LatencyRatioObjective);

    public static string Header =>
        $"{"run",3} {"variant",-34} {"bad p95",9} {"failed",7} {"good p95",9} {"ratio",6} {"live lost",9} {"recovery",9} {"threads before>end>after",25} {"evidence bad/good",18} {"pool wait",9} result";

    public override string ToString()
    {
        var threads = $"{Show(ThreadsBefore)} > {Show(ThreadsAtEnd)} > {Show(ThreadsAfter)}";
        var evidence = Bad.Evidence is null ? "-" : $"{Load.Load.EvidenceAverage:F0} / {Good.Load.EvidenceAverage:F0}";
        var recovery = Recovery is { } r ? $"{r:F1} s" : "> 60 s";
        return $"{Run,3} {Bad.Name,-34} {Load.Load.P95,7:F0}ms {Load.Load.FailedRate,7:P0} {Good.Load.P95,7:F0}ms {Ratio,5:F1}x " +
               $"{Load.Live.FailedRate,9:P0} {recovery,9} {threads,25} {evidence,18} {PoolWaitSeconds,7:F1} s {(Passed ? "PASS" : "FAIL")}";
    }

    private static string Show(int? n) => n?.ToString() ?? "?";
}

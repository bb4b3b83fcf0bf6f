using System.Text.Json.Serialization;

namespace Workbook.Cli.Bench;

// The shape of bench/results.json (written with snake_case names). bench/README.md explains each field.

/// <summary>Everything one <c>workbook bench</c> run measured.</summary>
public sealed class BenchResult
{
    /// <summary>Format tag, bumped when fields change meaning.</summary>
    public string Schema { get; set; } = "workbook-bench/1";
    /// <summary>When the run started (UTC, ISO 8601).</summary>
    public string Date { get; set; } = "";
    /// <summary>full, quick or custom (--batches).</summary>
    public string Mode { get; set; } = "";
    /// <summary>The machine and its load.</summary>
    public MachineInfo Machine { get; set; } = new();
    /// <summary>What was run.</summary>
    public BenchSettings Settings { get; set; } = new();
    /// <summary>The TorchSharp side.</summary>
    [JsonPropertyName("torchsharp")]
    public SideInfo TorchSharp { get; set; } = new();
    /// <summary>The PyTorch side (available: false and a reason when it could not run).</summary>
    [JsonPropertyName("pytorch")]
    public SideInfo PyTorch { get; set; } = new();
    /// <summary>Reading, checking and decoding the four IDX files into tensors.</summary>
    public Measurement? Load { get; set; }
    /// <summary>One entry per model.</summary>
    public List<ModelResult> Models { get; set; } = new();
    /// <summary>Process memory.</summary>
    public MemoryInfo Memory { get; set; } = new();
    /// <summary>The targets of issue #7 and whether this run met them (informational; nothing gates on them).</summary>
    public List<TargetResult> Targets { get; set; } = new();
}

/// <summary>The machine the numbers come from.</summary>
public sealed class MachineInfo
{
    /// <summary>"model name" from /proc/cpuinfo.</summary>
    public string CpuModel { get; set; } = "";
    /// <summary>Logical processors the process may use.</summary>
    public int LogicalCores { get; set; }
    /// <summary>Operating system description.</summary>
    public string Os { get; set; } = "";
    /// <summary>.NET runtime version.</summary>
    public string Dotnet { get; set; } = "";
    /// <summary>The GPU's name as PyTorch reports it (GPU mode only).</summary>
    public string? Gpu { get; set; }
    /// <summary>Release or Debug: how Lib.dll was compiled (Debug turns the JIT's optimisations off).</summary>
    public string LibBuild { get; set; } = "";
    /// <summary>1, 5 and 15-minute load averages when the run started.</summary>
    public double[] LoadAverageStart { get; set; } = [];
    /// <summary>The same when it ended.</summary>
    public double[] LoadAverageEnd { get; set; } = [];
}

/// <summary>The benchmark's settings.</summary>
public sealed class BenchSettings
{
    /// <summary>Intra-op threads on both sides.</summary>
    public int Threads { get; set; }
    /// <summary>How OpenMP threads wait, as NativeRuntime set it (the PyTorch child inherits the same variable).</summary>
    public string OmpWaitPolicy { get; set; } = "";
    /// <summary>cpu or cuda: where both sides trained.</summary>
    public string Device { get; set; } = "cpu";
    /// <summary>PyTorch was given the workbook's permutation of each epoch.</summary>
    public bool SameOrder { get; set; }
    /// <summary>Training batch size.</summary>
    public int BatchSize { get; set; }
    /// <summary>Evaluation batch size.</summary>
    public int EvalBatchSize { get; set; }
    /// <summary>Optimizer of the training epochs.</summary>
    public string Optimizer { get; set; } = "adam";
    /// <summary>Its learning rate.</summary>
    public double LearningRate { get; set; }
    /// <summary>Epochs (and load and evaluation repeats) per model and side.</summary>
    public int Repeats { get; set; }
    /// <summary>Training images per measured epoch (60,000 in full mode; the first N otherwise).</summary>
    public int TrainImages { get; set; }
    /// <summary>Test images per evaluation.</summary>
    public int TestImages { get; set; }
    /// <summary>Models benchmarked.</summary>
    public List<string> Models { get; set; } = new();
}

/// <summary>One side of the comparison.</summary>
public sealed class SideInfo
{
    /// <summary>Whether this side ran.</summary>
    public bool Available { get; set; }
    /// <summary>Why it did not, when it did not.</summary>
    public string? Reason { get; set; }
    /// <summary>Library versions.</summary>
    public Dictionary<string, string> Versions { get; set; } = new();
    /// <summary>Intra-op threads it used.</summary>
    public int Threads { get; set; }
    /// <summary>OMP_WAIT_POLICY in its environment.</summary>
    public string? OmpWaitPolicy { get; set; }
}

/// <summary>One timed operation, run <c>repeats</c> times on each side, alternating.</summary>
public sealed class Measurement
{
    /// <summary>Images processed per timed run.</summary>
    public long Images { get; set; }
    /// <summary>TorchSharp seconds, one per repeat, in order.</summary>
    public List<double> TorchsharpSeconds { get; set; } = new();
    /// <summary>PyTorch seconds, each taken right after the TorchSharp one of the same index; null without PyTorch.</summary>
    public List<double>? PytorchSeconds { get; set; }
    /// <summary>The 1-minute load average read just before each TorchSharp run.</summary>
    public List<double> LoadAverage { get; set; } = new();
    /// <summary>Median of <see cref="TorchsharpSeconds"/>.</summary>
    public double TorchsharpMedian { get; set; }
    /// <summary>Median of <see cref="PytorchSeconds"/>.</summary>
    public double? PytorchMedian { get; set; }
    /// <summary>Median of the per-repeat ratios TorchSharp / PyTorch (below 1: TorchSharp is faster).</summary>
    public double? Ratio { get; set; }
    /// <summary>TorchSharp's median scaled to a full epoch of 60,000 images (training only).</summary>
    public double? TorchsharpSecondsPerEpoch { get; set; }
    /// <summary>PyTorch's median scaled the same way.</summary>
    public double? PytorchSecondsPerEpoch { get; set; }
    /// <summary>Achieved GFLOP/s of the TorchSharp median (analytic FLOPs / seconds).</summary>
    public double? TorchsharpGflops { get; set; }
    /// <summary>The same for PyTorch.</summary>
    public double? PytorchGflops { get; set; }
}

/// <summary>One model's training and evaluation.</summary>
public sealed class ModelResult
{
    /// <summary>ModelZoo name.</summary>
    public string Name { get; set; } = "";
    /// <summary>ModelZoo description.</summary>
    public string Description { get; set; } = "";
    /// <summary>Trainable parameters (equal on both sides; checked shape by shape).</summary>
    public long Parameters { get; set; }
    /// <summary>Analytic forward FLOPs per image.</summary>
    public long ForwardFlopsPerImage { get; set; }
    /// <summary>Training epochs (batch 64, Adam) through the workbook's Trainer.</summary>
    public Measurement Train { get; set; } = new();
    /// <summary>Forward-only evaluation of the test set (batch 1000) through the workbook's Evaluator.</summary>
    public Measurement Eval { get; set; } = new();
    /// <summary>Resident memory after each TorchSharp epoch (after a full garbage collection).</summary>
    public List<long> RssAfterEpochBytes { get; set; } = new();
    /// <summary>Growth of resident memory from the first to the last epoch, as a fraction of the first.</summary>
    public double? RssGrowth { get; set; }
    /// <summary>Final training loss of each side's last epoch (a sanity check that both trained).</summary>
    public double? TorchsharpLastLoss { get; set; }
    /// <summary>The same for PyTorch.</summary>
    public double? PytorchLastLoss { get; set; }
}

/// <summary>Process memory.</summary>
public sealed class MemoryInfo
{
    /// <summary>Peak resident memory of the benchmark process (VmHWM).</summary>
    public long VmHwmBytes { get; set; }
    /// <summary>Peak resident memory of the PyTorch child process (VmHWM), when it ran.</summary>
    public long? PytorchVmHwmBytes { get; set; }
    /// <summary>The largest per-model growth of resident memory from the first to the last epoch.</summary>
    public double? MaxRssGrowth { get; set; }
}

/// <summary>A target and whether this run met it.</summary>
public sealed class TargetResult
{
    /// <summary>What is measured.</summary>
    public string Name { get; set; } = "";
    /// <summary>The value measured.</summary>
    public double Value { get; set; }
    /// <summary>The limit (value must be at or below it).</summary>
    public double Limit { get; set; }
    /// <summary>Whether value &lt;= limit.</summary>
    public bool Met { get; set; }
}

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using Workbook.Data;
using Workbook.Evaluation;
using Workbook.Models;
using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Training;
using static TorchSharp.torch;

namespace Workbook.Cli.Bench;

/// <summary>What <c>workbook bench</c> runs.</summary>
public sealed record BenchOptions
{
    /// <summary>The default models: report 001's MLP and report 002's E1 and E4 CNNs.</summary>
    public static readonly string[] DefaultModels = ["net2", "e1", "e4"];

    /// <summary>The GPU mode's models: the default ones and E5 (E4 with dropout), which notebook 05 trains most.</summary>
    public static readonly string[] GpuModels = ["net2", "e1", "e4", "e5"];

    /// <summary>Where both sides train: "cpu" or "cuda" (TorchSharp through Compute, PyTorch through init's device).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Give PyTorch the workbook's own permutation of each epoch (same batches on both sides).</summary>
    public bool SameOrder { get; init; }

    /// <summary>full, quick or custom: only a label for the output.</summary>
    public string Mode { get; init; } = "full";
    /// <summary>Epochs, loads and evaluations per model and side.</summary>
    public int Repeats { get; init; } = 3;
    /// <summary>Batches per measured epoch; null: full epochs of 60,000 images.</summary>
    public int? Batches { get; init; }
    /// <summary>The models to train.</summary>
    public IReadOnlyList<string> Models { get; init; } = DefaultModels;
    /// <summary>Where the JSON goes.</summary>
    public string Out { get; init; } = Path.Combine("bench", "results.json");
    /// <summary>Run the PyTorch side.</summary>
    public bool Python { get; init; } = true;
    /// <summary>The Python interpreter (Debian's, which sees python3-torch).</summary>
    public string PythonPath { get; init; } = "/usr/bin/python3";
    /// <summary>The reference script.</summary>
    public string Script { get; init; } = Path.Combine(WorkbookPaths.Root, "bench", "pytorch_reference.py");
    /// <summary>Intra-op threads for both sides; null: TorchSharp's default, which PyTorch is then given.</summary>
    public int? Threads { get; init; }
    /// <summary>Training batch size.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Evaluation batch size.</summary>
    public int EvalBatchSize { get; init; } = 1000;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
}

/// <summary>
/// The benchmark of issue #7: training epochs, evaluation and data loading in TorchSharp (through the
/// workbook's own Trainer, Evaluator and FashionMnist loader) against the same work in PyTorch, run
/// alternately in one invocation so that both sides see the same machine load.
/// </summary>
public static class Benchmark
{
    /// <summary>Images in a full training epoch.</summary>
    public const int FullEpoch = 60_000;

    /// <summary>Runs the benchmark, writes the JSON and returns the result.</summary>
    public static BenchResult Run(BenchOptions o, Action<string>? log = null)
    {
        log ??= Console.WriteLine;
        if (o.Repeats < 1) throw new ArgumentException("repeats must be at least 1");
        NativeRuntime.EnsureTorch();
        if (o.Device is not ("cpu" or "cuda")) throw new ArgumentException($"device '{o.Device}': use cpu or cuda");
        if (o.Device == "cuda" && !torch.cuda.is_available())
            throw new ArgumentException($"the GPU benchmark needs libtorch with CUDA, but {(ExternalLibTorch.Loaded is { } l ? $"the libtorch {l.Version} in {l.Folder}" : $"TorchSharp's bundled libtorch {torch.__version__}")} sees no GPU. " +
                $"Point {ExternalLibTorch.Variable} at a CUDA build of PyTorch's torch/lib (environment.md, 'GPU with an existing PyTorch').");
        // TorchSharp's device is chosen once per process (Compute, from WORKBOOK_DEVICE); both sides must use it.
        if (o.Device == "cuda" && !Compute.IsCuda)
            throw new ArgumentException("the GPU benchmark was asked for, but WORKBOOK_DEVICE keeps TorchSharp on the CPU; unset it");
        if (o.Device == "cpu" && Compute.IsCuda)
            throw new ArgumentException("a CPU benchmark was asked for, but TorchSharp trains on the GPU; set WORKBOOK_DEVICE=cpu, or use --gpu");
        if (o.Threads is { } t) torch.set_num_threads(t);
        int threads = torch.get_num_threads();

        var result = new BenchResult
        {
            Date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Mode = o.Mode,
            Machine = new MachineInfo
            {
                CpuModel = CpuModel(),
                LogicalCores = Environment.ProcessorCount,
                Os = RuntimeInformation.OSDescription,
                Dotnet = RuntimeInformation.FrameworkDescription,
                LibBuild = LibBuild(),
                LoadAverageStart = LoadAverage(),
            },
            Settings = new BenchSettings
            {
                Threads = threads, OmpWaitPolicy = NativeRuntime.OpenMpWaitPolicy, BatchSize = o.BatchSize, EvalBatchSize = o.EvalBatchSize, LearningRate = o.LearningRate,
                Repeats = o.Repeats, Models = o.Models.ToList(), Device = o.Device, SameOrder = o.SameOrder,
            },
            TorchSharp = new SideInfo
            {
                Available = true, Threads = threads, OmpWaitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"),
                Versions = new() { ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?", ["libtorch"] = ExternalLibTorch.Loaded?.Version ?? torch.__version__ },
            },
        };
        if (result.Machine.LibBuild == "Debug")
            log("note: Lib.dll is a Debug build (JIT optimisations off); for numbers to publish run with `-c Release`.");

        var models = o.Models.Select(ModelZoo.Get).ToList();
        var (dir, _) = FashionMnist.Locate();

        PyTorchReference? py = null;
        if (o.Python)
        {
            py = PyTorchReference.TryStart(o.PythonPath, o.Script, out var whyNot);
            if (py is null) result.PyTorch = new SideInfo { Available = false, Reason = whyNot };
        }
        else result.PyTorch = new SideInfo { Available = false, Reason = "not asked for (--no-python)" };

        try
        {
            if (py != null)
            {
                var init = py.Send(new { cmd = "init", threads, data_dir = dir, device = o.Device });
                result.PyTorch = new SideInfo
                {
                    Available = true,
                    Threads = init["threads"]!.GetValue<int>(),
                    OmpWaitPolicy = init["omp_wait_policy"]?.GetValue<string>(),
                    Versions = new() { ["torch"] = Str(init["torch"]), ["numpy"] = Str(init["numpy"]), ["python"] = Str(init["python"]) },
                };
                foreach (var key in new[] { "device_name", "cuda", "cudnn" })
                    if (init[key] is { } v) result.PyTorch.Versions[key] = Str(v);
                if (init["device_name"] is { } gpu) result.Machine.Gpu = Str(gpu);
                if (result.PyTorch.Threads != threads)
                    throw new InvalidOperationException($"PyTorch runs {result.PyTorch.Threads} threads, TorchSharp {threads}");
                if (result.PyTorch.OmpWaitPolicy != result.TorchSharp.OmpWaitPolicy)
                    throw new InvalidOperationException($"PyTorch's OMP_WAIT_POLICY is '{result.PyTorch.OmpWaitPolicy}', TorchSharp's '{result.TorchSharp.OmpWaitPolicy}'");
            }
            log($"workbook bench: {o.Mode}, {Compute.Description}, {threads} threads, {o.Repeats} repeat(s), models {string.Join(", ", o.Models)}; " +
                (py != null ? $"PyTorch {py.TorchVersion} alongside" : $"TorchSharp only ({result.PyTorch.Reason})"));

            // Loading: each TorchSharp load bypasses the process cache (LoadFrom, not Load).
            FashionMnistData? data = null;
            result.Load = Alternate(o.Repeats, py, FullEpoch + 10_000,
                () =>
                {
                    if (data != null) { Dispose(data); data = null; }
                    data = FashionMnist.LoadFrom(dir, verifyChecksums: true);
                    return data.LoadSeconds;
                },
                () => py!.Send(new { cmd = "load" })["seconds"]!.GetValue<double>(),
                (i, ts, pt) => log($"  load {i}: TorchSharp {ts:F3} s{(pt is { } p ? $", PyTorch {p:F3} s" : "")}"));

            var trainAll = data!.Train;
            int trainImages = o.Batches is { } b ? Math.Min(trainAll.Count, b * o.BatchSize) : trainAll.Count;
            var train = trainImages == trainAll.Count ? trainAll
                : new Dataset(trainAll.Images.narrow(0, 0, trainImages), trainAll.Labels.narrow(0, 0, trainImages), trainAll.ClassNames, $"{trainAll.Id}|first({trainImages})");
            result.Settings.TrainImages = trainImages;
            CollectGarbage(); // the loads' managed buffers, so that they do not shrink RSS during training
            result.Settings.TestImages = data.Test.Count;

            foreach (var info in models)
                result.Models.Add(RunModel(info, o, train, data.Test, py, log));

            result.Memory.VmHwmBytes = ProcStatus("VmHWM");
            if (py != null) result.Memory.PytorchVmHwmBytes = py.Send(new { cmd = "memory" })["vm_hwm_bytes"]!.GetValue<long>();
            var growths = result.Models.Where(m => m.RssGrowth.HasValue).Select(m => m.RssGrowth!.Value).ToList();
            result.Memory.MaxRssGrowth = growths.Count > 0 ? growths.Max() : null;
        }
        finally
        {
            py?.Dispose();
        }

        result.Machine.LoadAverageEnd = LoadAverage();
        result.Targets = Targets(result);
        WriteJson(result, o.Out);
        return result;
    }

    static ModelResult RunModel(ModelInfo info, BenchOptions o, Dataset train, Dataset test, PyTorchReference? py, Action<string> log)
    {
        const int classes = 10;
        var result = new ModelResult { Name = info.Name, Description = info.Description };
        using (var probe = ModelZoo.Build(info.Name, classes))
        {
            result.Parameters = ModelZoo.ParameterCount(probe);
            result.ForwardFlopsPerImage = Flops.ForwardPerImage(probe);
            if (py != null)
            {
                var built = py.Send(new { cmd = "build", model = info.Name, classes, seed = 0, lr = o.LearningRate });
                var ours = probe.parameters().Select(p => string.Join("x", p.shape)).ToList();
                var theirs = built["shapes"]!.AsArray().Select(s => string.Join("x", s!.AsArray().Select(d => d!.GetValue<long>()))).ToList();
                if (!ours.SequenceEqual(theirs))
                    throw new InvalidOperationException(
                        $"{info.Name}: the PyTorch model's parameters ({string.Join(", ", theirs)}) differ from ModelZoo's ({string.Join(", ", ours)}); fix bench/pytorch_reference.py");
            }
        }

        // Training: the workbook's Trainer runs all epochs; after each one (outside its timed loop) the
        // progress callback records memory and runs one PyTorch epoch, so the two alternate.
        var spec = new TrainSpec
        {
            Name = $"bench-{info.Name}", Model = info.Name, Epochs = o.Repeats, BatchSize = o.BatchSize,
            Optimizer = OptimizerKind.Adam, LearningRate = o.LearningRate, TestEveryEpoch = false,
        };
        var m = result.Train;
        m.Images = train.Count;
        if (py != null) m.PytorchSeconds = new();
        var store = new RunStore(Directory.CreateTempSubdirectory("workbook-bench").FullName);
        m.LoadAverage.Add(LoadAverage()[0]);
        TrainedRun run;
        try
        {
            run = Trainer.Train(spec, train, progress: p =>
            {
                if (p.Batch != 0 || p.Epoch == 0 || p.Last is null || p.State is not (RunState.Running or RunState.Finished)) return;
                m.TorchsharpSeconds.Add(p.Last.Seconds);
                result.TorchsharpLastLoss = p.Last.TrainLoss;
                CollectGarbage();
                result.RssAfterEpochBytes.Add(ProcStatus("VmRSS"));
                double? ptSeconds = null;
                if (py != null)
                {
                    string? orderFile = o.SameOrder ? WriteOrder(train.Count, spec, p.Epoch, store.Root) : null;
                    var answer = py.Send(new { cmd = "epoch", model = info.Name, batch = o.BatchSize, images = train.Count, epoch = p.Epoch, order_file = orderFile });
                    ptSeconds = answer["seconds"]!.GetValue<double>();
                    m.PytorchSeconds!.Add(ptSeconds.Value);
                    result.PytorchLastLoss = answer["loss"]!.GetValue<double>();
                }
                log($"  {info.Name} epoch {p.Epoch}/{o.Repeats}: TorchSharp {p.Last.Seconds:F2} s" +
                    (ptSeconds is { } s ? $", PyTorch {s:F2} s, ratio {p.Last.Seconds / s:F2}" : "") +
                    $" (load {m.LoadAverage[^1]:F2}, RSS {result.RssAfterEpochBytes[^1] / 1e6:F0} MB)");
                if (p.Epoch < o.Repeats) m.LoadAverage.Add(LoadAverage()[0]);
            }, cache: new RunCache(store));
        }
        finally
        {
            try { Directory.Delete(store.Root, recursive: true); } catch (IOException) { }
        }
        if (run.Diverged) throw new InvalidOperationException($"{info.Name} diverged in the benchmark");
        Summarise(m, result.ForwardFlopsPerImage * 3, scaleToEpoch: true);
        if (result.RssAfterEpochBytes.Count >= 2)
            result.RssGrowth = (result.RssAfterEpochBytes[^1] - result.RssAfterEpochBytes[0]) / (double)result.RssAfterEpochBytes[0];

        // Evaluation of the trained model, alternating with PyTorch's evaluation of its own.
        using (var model = run.Model!)
        {
            result.Eval = Alternate(o.Repeats, py, test.Count,
                () => Evaluator.Evaluate(model, test, LossKind.CrossEntropy, o.EvalBatchSize).Seconds,
                () => py!.Send(new { cmd = "eval", model = info.Name, batch = o.EvalBatchSize })["seconds"]!.GetValue<double>(),
                (i, ts, pt) => log($"  {info.Name} eval {i}: TorchSharp {ts:F3} s{(pt is { } p ? $", PyTorch {p:F3} s" : "")}"));
            Summarise(result.Eval, result.ForwardFlopsPerImage, scaleToEpoch: false);
        }
        return result;
    }

    /// <summary>
    /// Writes the permutation the workbook's Trainer used for this epoch (Dataset.Permutation with the
    /// run's shuffle seed) as raw little-endian int64 for the PyTorch side; returns the file's path.
    /// </summary>
    static string WriteOrder(int count, TrainSpec spec, int epoch, string folder)
    {
        var order = Dataset.Permutation(count, Dataset.ShuffleSeed(spec.Seed, epoch));
        var path = Path.Combine(folder, $"order-{epoch}.i64");
        var bytes = new byte[order.Length * sizeof(long)];
        for (int i = 0; i < order.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), order[i]);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs TorchSharp then PyTorch, <paramref name="repeats"/> times, and summarises.</summary>
    static Measurement Alternate(int repeats, PyTorchReference? py, long images, Func<double> torchSharp, Func<double> pyTorch,
        Action<int, double, double?> report)
    {
        var m = new Measurement { Images = images, PytorchSeconds = py != null ? new() : null };
        for (int i = 1; i <= repeats; i++)
        {
            m.LoadAverage.Add(LoadAverage()[0]);
            double ts = torchSharp();
            m.TorchsharpSeconds.Add(ts);
            double? pt = null;
            if (py != null) { pt = pyTorch(); m.PytorchSeconds!.Add(pt.Value); }
            report(i, ts, pt);
        }
        Summarise(m, flopsPerImage: 0, scaleToEpoch: false);
        return m;
    }

    static void Summarise(Measurement m, long flopsPerImage, bool scaleToEpoch)
    {
        m.TorchsharpMedian = Median(m.TorchsharpSeconds);
        if (m.PytorchSeconds is { Count: > 0 } pt)
        {
            m.PytorchMedian = Median(pt);
            m.Ratio = Median(m.TorchsharpSeconds.Zip(pt, (a, b) => a / b).ToList());
        }
        if (scaleToEpoch)
        {
            m.TorchsharpSecondsPerEpoch = m.TorchsharpMedian * FullEpoch / m.Images;
            m.PytorchSecondsPerEpoch = m.PytorchMedian * FullEpoch / m.Images;
        }
        if (flopsPerImage > 0)
        {
            m.TorchsharpGflops = flopsPerImage * (double)m.Images / m.TorchsharpMedian / 1e9;
            m.PytorchGflops = m.PytorchMedian is { } p ? flopsPerImage * (double)m.Images / p / 1e9 : null;
        }
    }

    static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static List<TargetResult> Targets(BenchResult r)
    {
        var list = new List<TargetResult>();
        void Add(string name, double? value, double limit)
        {
            if (value is { } v) list.Add(new TargetResult { Name = name, Value = v, Limit = limit, Met = v <= limit });
        }
        // On a GPU, issue 12's target: TorchSharp within 1.5x of PyTorch eager (launch overhead dominates).
        double ratioLimit = r.Settings.Device == "cuda" ? 1.5 : 1.0;
        foreach (var m in r.Models)
        {
            Add($"train {m.Name}: TorchSharp / PyTorch", m.Train.Ratio, ratioLimit);
            Add($"eval {m.Name}: TorchSharp / PyTorch", m.Eval.Ratio, ratioLimit);
        }
        Add("load: TorchSharp / PyTorch", r.Load?.Ratio, 1.0);
        Add("load: TorchSharp seconds", r.Load?.TorchsharpMedian, 1.0);
        Add("memory growth from epoch 1 to the last", r.Memory.MaxRssGrowth, 0.05);
        return list;
    }

    /// <summary>
    /// A full, compacting collection that also returns freed managed memory to the system, after
    /// finalizers ran (undisposed tensors are freed by them): RSS then shows what native code holds.
    /// </summary>
    static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    static void Dispose(FashionMnistData d)
    {
        d.Train.Images.Dispose(); d.Train.Labels.Dispose();
        d.Test.Images.Dispose(); d.Test.Labels.Dispose();
    }

    static string Str(JsonNode? n) => n?.GetValue<string>() ?? "?";

    /// <summary>The results as a text table (and notes under it).</summary>
    public static string ToText(BenchResult r) => ToTable(r).ToText();

    /// <summary>The results as markdown: the title, the table and its notes (for README.md's bench section).</summary>
    public static string ToMarkdown(BenchResult r)
    {
        var table = ToTable(r);
        return $"{table.Title}\n\n{table.ToMarkdown()}\n" + string.Join("\n", table.Note!.Split('\n').Select(l => "- " + l)) + "\n";
    }

    static Table ToTable(BenchResult r)
    {
        bool scaled = r.Settings.TrainImages != FullEpoch;
        var table = new Table("measurement", "TorchSharp s", "PyTorch s", "ratio", "TorchSharp GFLOP/s", "PyTorch GFLOP/s", "load avg")
        {
            Title = $"workbook bench ({r.Mode}) {r.Date}: " + (r.Settings.Device == "cuda" ? $"GPU {r.Machine.Gpu ?? "cuda"}, batch {r.Settings.BatchSize}, host " : "") +
                    $"{r.Machine.CpuModel}, {r.Machine.LogicalCores} cores, {r.Settings.Threads} threads, OpenMP wait {r.Settings.OmpWaitPolicy}; " +
                    $"TorchSharp {r.TorchSharp.Versions.GetValueOrDefault("torchsharp")} / libtorch {r.TorchSharp.Versions.GetValueOrDefault("libtorch")} vs " +
                    (r.PyTorch.Available ? $"PyTorch {r.PyTorch.Versions.GetValueOrDefault("torch")}" : "no PyTorch"),
        };
        foreach (var c in new[] { "TorchSharp s", "PyTorch s" }) table.Formats[c] = "F3";
        foreach (var c in new[] { "ratio", "load avg" }) table.Formats[c] = "F2";
        foreach (var c in new[] { "TorchSharp GFLOP/s", "PyTorch GFLOP/s" }) table.Formats[c] = "F1";
        static object Cell(double? v) => v is { } d ? d : "-";
        static string Loads(Measurement m) => m.LoadAverage.Count == 0 ? "" : $"{m.LoadAverage.Min():F1}-{m.LoadAverage.Max():F1}";
        foreach (var m in r.Models)
            table.Add($"train {m.Name} ({m.Parameters:N0} params), s/epoch{(scaled ? "*" : "")}", m.Train.TorchsharpSecondsPerEpoch!.Value,
                Cell(m.Train.PytorchSecondsPerEpoch), Cell(m.Train.Ratio), Cell(m.Train.TorchsharpGflops), Cell(m.Train.PytorchGflops), Loads(m.Train));
        foreach (var m in r.Models)
            table.Add($"eval {m.Name}, {r.Settings.TestImages:N0} test images", m.Eval.TorchsharpMedian,
                Cell(m.Eval.PytorchMedian), Cell(m.Eval.Ratio), Cell(m.Eval.TorchsharpGflops), Cell(m.Eval.PytorchGflops), Loads(m.Eval));
        if (r.Load is { } load)
            table.Add("load the four IDX files", load.TorchsharpMedian, Cell(load.PytorchMedian), Cell(load.Ratio), "-", "-", Loads(load));
        var notes = new List<string> { $"medians of {r.Settings.Repeats}; ratio = median of the per-repeat ratios TorchSharp / PyTorch (TorchSharp and PyTorch alternate)" };
        if (scaled) notes.Add($"* measured on the first {r.Settings.TrainImages:N0} images ({r.Settings.TrainImages / r.Settings.BatchSize} batches) and scaled to 60,000");
        notes.Add($"peak memory (VmHWM) {r.Memory.VmHwmBytes / 1e6:F0} MB" + (r.Memory.PytorchVmHwmBytes is { } p ? $" (PyTorch child {p / 1e6:F0} MB)" : "") +
            "; RSS after epoch 1 -> last: " + string.Join(", ", r.Models.Select(m => m.RssAfterEpochBytes.Count == 0 ? $"{m.Name} -"
                : $"{m.Name} {m.RssAfterEpochBytes[0] / 1e6:F0} -> {m.RssAfterEpochBytes[^1] / 1e6:F0} MB" + (m.RssGrowth is { } g ? $" ({(g >= 0 ? "+" : "")}{g.ToString("0.0%", CultureInfo.InvariantCulture)})" : ""))));
        notes.Add($"load average (1, 5, 15 min) at start {string.Join(" ", r.Machine.LoadAverageStart.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}, " +
            $"at end {string.Join(" ", r.Machine.LoadAverageEnd.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}; Lib.dll {r.Machine.LibBuild} build");
        if (!r.PyTorch.Available) notes.Add($"PyTorch side not run: {r.PyTorch.Reason}");
        var missed = r.Targets.Where(t => !t.Met).ToList();
        notes.Add(r.Targets.Count == 0 ? "targets: none measured"
            : missed.Count == 0 ? "targets: all met" : "targets missed: " + string.Join("; ", missed.Select(t => $"{t.Name} = {t.Value:0.###} (limit {t.Limit:0.###})")));
        table.Note = string.Join("\n", notes);
        return table;
    }

    static readonly JsonSerializerOptions jsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };

    /// <summary>The result as JSON.</summary>
    public static string ToJson(BenchResult r) => JsonSerializer.Serialize(r, jsonOptions) + "\n";

    static void WriteJson(BenchResult r, string path) => AtomicFile.WriteAllText(path, ToJson(r));

    static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException) { return RuntimeInformation.ProcessArchitecture.ToString(); }
    }

    /// <summary>1, 5 and 15-minute load averages (empty where /proc/loadavg does not exist).</summary>
    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return [0, 0, 0]; }
    }

    /// <summary>A size line of /proc/self/status (VmRSS, VmHWM) in bytes; 0 where there is none.</summary>
    public static long ProcStatus(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }

    static string LibBuild() =>
        typeof(Trainer).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";
}

using System.Text.Json;
using Workbook.Cli.Bench;
using Workbook.Cli.Commands;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// `workbook bench` in a tiny mode (a few batches of the MLP): the JSON has its shape and every
/// number is positive and finite. Timings are never judged here.
/// </summary>
[Collection(TrainingCollection.Name)]
public class BenchTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-bench").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static void Positive(JsonElement e, string what)
    {
        Assert.True(e.ValueKind == JsonValueKind.Number, $"{what} is {e.ValueKind}");
        double v = e.GetDouble();
        Assert.True(double.IsFinite(v) && v > 0, $"{what} = {v}");
    }

    static void Seconds(JsonElement m, string what, int count, bool pytorch)
    {
        var ts = m.GetProperty("torchsharp_seconds").EnumerateArray().ToList();
        Assert.Equal(count, ts.Count);
        foreach (var t in ts) Positive(t, what + " torchsharp_seconds");
        Positive(m.GetProperty("torchsharp_median"), what + " torchsharp_median");
        Assert.Equal(count, m.GetProperty("load_average").GetArrayLength());
        if (pytorch)
        {
            var pt = m.GetProperty("pytorch_seconds").EnumerateArray().ToList();
            Assert.Equal(count, pt.Count);
            foreach (var t in pt) Positive(t, what + " pytorch_seconds");
            Positive(m.GetProperty("ratio"), what + " ratio");
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, m.GetProperty("pytorch_seconds").ValueKind);
            Assert.Equal(JsonValueKind.Null, m.GetProperty("ratio").ValueKind);
        }
    }

    [Fact]
    public void A_tiny_run_writes_the_json_with_positive_finite_numbers()
    {
        var output = new List<string>();
        var path = Path.Combine(dir, "results.json");
        int code = BenchCommand.Run(["--quick", "--batches", "3", "--repeats", "2", "--models", "net2", "--out", path], output.Add);
        var text = string.Join("\n", output);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        bool pytorch = root.GetProperty("pytorch").GetProperty("available").GetBoolean();
        // --quick: without /usr/bin/python3 and torch the TorchSharp side still runs and the exit code is 0.
        Assert.Equal(0, code);
        Assert.Equal("workbook-bench/1", root.GetProperty("schema").GetString());
        Assert.Equal("quick", root.GetProperty("mode").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("machine").GetProperty("cpu_model").GetString()));
        Assert.Equal(3, root.GetProperty("machine").GetProperty("load_average_start").GetArrayLength());
        var settings = root.GetProperty("settings");
        Positive(settings.GetProperty("threads"), "threads");
        Assert.Equal(3 * 64, settings.GetProperty("train_images").GetInt32());
        Assert.Equal(10_000, settings.GetProperty("test_images").GetInt32());
        if (!pytorch) Assert.False(string.IsNullOrEmpty(root.GetProperty("pytorch").GetProperty("reason").GetString()));

        Seconds(root.GetProperty("load"), "load", 2, pytorch);
        var model = Assert.Single(root.GetProperty("models").EnumerateArray().ToList());
        Assert.Equal("net2", model.GetProperty("name").GetString());
        Assert.Equal(109_386, model.GetProperty("parameters").GetInt64());
        // 2 x (784*128 + 128*64 + 64*10) multiply-adds per image.
        Assert.Equal(2L * (784 * 128 + 128 * 64 + 64 * 10), model.GetProperty("forward_flops_per_image").GetInt64());
        var train = model.GetProperty("train");
        Seconds(train, "train", 2, pytorch);
        Positive(train.GetProperty("torchsharp_seconds_per_epoch"), "torchsharp_seconds_per_epoch");
        Positive(train.GetProperty("torchsharp_gflops"), "torchsharp_gflops");
        Seconds(model.GetProperty("eval"), "eval", 2, pytorch);
        var rss = model.GetProperty("rss_after_epoch_bytes").EnumerateArray().ToList();
        Assert.Equal(2, rss.Count);
        foreach (var r in rss) Positive(r, "rss");
        Assert.True(double.IsFinite(model.GetProperty("rss_growth").GetDouble()));
        Positive(root.GetProperty("memory").GetProperty("vm_hwm_bytes"), "vm_hwm_bytes");
        Assert.NotEmpty(root.GetProperty("targets").EnumerateArray());
        // The table names every row.
        Assert.Contains("train net2", text);
        Assert.Contains("eval net2", text);
        Assert.Contains("load the four IDX files", text);
    }

    [Fact]
    public void Without_python_the_torchsharp_side_still_runs_and_only_a_full_run_fails()
    {
        var output = new List<string>();
        var path = Path.Combine(dir, "no-python.json");
        var missing = Path.Combine(dir, "no-such-python3");
        int quick = BenchCommand.Run(["--quick", "--batches", "2", "--repeats", "1", "--models", "net2", "--python", missing, "--out", path], output.Add);
        Assert.Equal(0, quick);
        Assert.Contains(output, l => l.Contains("PyTorch side did not run") && l.Contains(missing));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var py = json.RootElement.GetProperty("pytorch");
        Assert.False(py.GetProperty("available").GetBoolean());
        Assert.Contains(missing, py.GetProperty("reason").GetString());
        Seconds(json.RootElement.GetProperty("models")[0].GetProperty("train"), "train", 1, pytorch: false);

        int custom = BenchCommand.Run(["--batches", "2", "--repeats", "1", "--models", "net2", "--python", missing, "--out", path], _ => { });
        Assert.NotEqual(0, custom);
    }

    [Fact]
    public void The_markdown_table_has_a_row_per_measurement_and_the_notes()
    {
        var m = new Measurement { Images = 60_000, TorchsharpSeconds = [2.0], PytorchSeconds = [2.5], LoadAverage = [0.5], TorchsharpMedian = 2.0, PytorchMedian = 2.5, Ratio = 0.8, TorchsharpSecondsPerEpoch = 2.0, PytorchSecondsPerEpoch = 2.5 };
        var r = new BenchResult
        {
            Mode = "full", Date = "2026-01-01T00:00:00Z",
            Machine = new MachineInfo { CpuModel = "CPU", LogicalCores = 2, LoadAverageStart = [0.5, 0.5, 0.5], LoadAverageEnd = [0.6, 0.6, 0.6] },
            Settings = new BenchSettings { Threads = 2, Repeats = 1, BatchSize = 64, TrainImages = 60_000, TestImages = 10_000 },
            PyTorch = new SideInfo { Available = true },
            Load = m,
            Models = [new ModelResult { Name = "net2", Parameters = 109_386, Train = m, Eval = m, RssAfterEpochBytes = [100_000_000] }],
        };
        var md = Benchmark.ToMarkdown(r);
        Assert.Contains("| measurement | TorchSharp s | PyTorch s | ratio |", md);
        Assert.Contains("| train net2 (109,386 params), s/epoch | 2.000 | 2.500 | 0.80 |", md);
        Assert.Contains("| eval net2, 10,000 test images |", md);
        Assert.Contains("- medians of 1;", md);
    }

    [Fact]
    public void Bad_options_are_usage_errors()
    {
        Assert.Throws<UsageException>(() => BenchCommand.Run(["--repeats", "0"], _ => { }));
        Assert.Throws<UsageException>(() => BenchCommand.Run(["--frobnicate"], _ => { }));
        Assert.Throws<ArgumentException>(() => BenchCommand.Run(["--models", "nope"], _ => { }));
    }

    [Fact]
    public void The_gpu_mode_code_path_runs_on_the_cpu_with_e5_and_the_workbooks_batch_order()
    {
        // What `bench --gpu` runs, with the device the CPU: E5 on both sides (the parameter shapes must
        // match, else the run throws) and PyTorch trained on the Trainer's own permutation files.
        var output = new List<string>();
        var path = Path.Combine(dir, "results-gpu-path.json");
        int code = BenchCommand.Run(["--device", "cpu", "--same-order", "--models", "e5", "--batches", "3", "--repeats", "1",
            "--batch", "32", "--no-readme", "--out", path], output.Add);
        Assert.True(code == 0, string.Join("\n", output));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var settings = json.RootElement.GetProperty("settings");
        Assert.Equal("cpu", settings.GetProperty("device").GetString());
        Assert.True(settings.GetProperty("same_order").GetBoolean());
        Assert.Equal(32, settings.GetProperty("batch_size").GetInt32());
        var model = Assert.Single(json.RootElement.GetProperty("models").EnumerateArray());
        Assert.Equal("e5", model.GetProperty("name").GetString());
        bool pytorch = json.RootElement.GetProperty("pytorch").GetProperty("available").GetBoolean();
        Seconds(model.GetProperty("train"), "e5 train", 1, pytorch);
    }

    [Fact]
    public void The_gpu_mode_says_what_is_missing_on_a_machine_without_cuda()
    {
        Assert.Throws<UsageException>(() => BenchCommand.Run(["--gpu", "--device", "cpu"], _ => { }));
        Assert.Throws<UsageException>(() => BenchCommand.Run(["--device", "tpu"], _ => { }));
        if (TorchSharp.torch.cuda.is_available()) return; // a GPU machine: the mode would run
        var e = Assert.Throws<ArgumentException>(() => BenchCommand.Run(["--gpu", "--no-python", "--out", Path.Combine(dir, "x.json")], _ => { }));
        Assert.Contains("sees no GPU", e.Message);
        Assert.Contains("WORKBOOK_LIBTORCH", e.Message);
    }
}

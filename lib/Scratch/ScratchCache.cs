using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbook.Data;
using Workbook.Runtime;
using Workbook.Training;
using static TorchSharp.torch;

namespace Workbook.Scratch;

public static partial class ScratchTrainer
{
    /// <summary>The cache key of a run: the code version, the configuration and the ids of the three datasets.</summary>
    public static string CacheKey(ScratchConfig config, Dataset train, Dataset? validation, Dataset? test) =>
        CacheKey(config, [train.Id, validation?.Id ?? "", test?.Id ?? ""]);

    /// <summary>The cache key of a run from the configuration and the data ids (train, validation, test; "" for none).</summary>
    public static string CacheKey(ScratchConfig config, string[] dataIds) =>
        RunCache.KeyOf(ScratchRunFormat.KindName, CodeVersion.Scratch, new { config, data = dataIds });

    /// <summary>
    /// <see cref="Train"/> through the workbook's run cache: a run found in this machine's cache or in the
    /// published results is loaded instead of trained (<paramref name="progress"/> then gets one report).
    /// Set <paramref name="needModel"/> when the caller uses the network or its weight snapshots: a
    /// published run (stored without weights) is then trained again. Diverged runs are cached too.
    /// </summary>
    public static ScratchResult TrainCached(ScratchConfig config, Dataset train, Dataset? validation = null, Dataset? test = null,
        Action<TrainingProgress>? progress = null, RunCache? cache = null, string? name = null, bool needModel = false)
    {
        config.Validate();
        cache ??= RunCache.Default;
        int inputs = (int)(train.Images.numel() / Math.Max(1, train.Count));
        string display = name ?? "scratch " + config.Describe(inputs, train.NumClasses);
        void Report(TrainingProgress p) { progress?.Invoke(p); TrainingEvents.Publish(p); }
        string key = CacheKey(config, train, validation, test);
        var result = cache.Resolve(new ScratchRunFormat([train.Id, validation?.Id ?? "", test?.Id ?? ""]), key, display, () => Train(config, train, validation, test, progress, name), needModel, Report);
        return result with { CacheKey = key };
    }
}

public static partial class ScratchTrainer
{
    /// <summary>
    /// <see cref="TrainCached"/> once per seed (the configuration's seed is replaced). Only the first seed's
    /// network is needed when <paramref name="needModel"/> is set.
    /// </summary>
    public static IReadOnlyList<ScratchResult> TrainSeeds(ScratchConfig config, IReadOnlyList<int> seeds, Dataset train,
        Dataset? validation = null, Dataset? test = null, Action<TrainingProgress>? progress = null, RunCache? cache = null,
        string? name = null, bool needModel = false)
    {
        if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
        return seeds.Select((seed, i) => TrainCached(config with { Seed = seed }, train, validation, test, progress, cache,
            name is null ? null : i == 0 ? name : $"{name}, seed {seed}", needModel && i == 0)).ToList();
    }
}

/// <summary>
/// How from-scratch runs are stored: configuration, history, final figures and test predictions as
/// text; the parameters (weights.bin) and first-layer snapshots (snapshots.bin) as raw arrays.
/// </summary>
public sealed class ScratchRunFormat(string[]? dataIds = null) : RunFormat<ScratchResult>
{
    /// <summary>The kind's name in records and keys.</summary>
    public const string KindName = "scratch";

    /// <inheritdoc />
    public override string Kind => KindName;
    /// <inheritdoc />
    public override int CodeVersion => Training.CodeVersion.Scratch;
    /// <inheritdoc />
    public override IReadOnlyList<string> ModelFiles { get; } = ["weights.bin", "snapshots.bin"];

    /// <summary>The stored content of a run, as a published record holds it.</summary>
    public sealed record Stored(ScratchConfig Config, string[] DataIds, int Inputs, int Classes, double TrainAccuracy, double TrainLoss, double? ValidationAccuracy,
        double? TestAccuracy, double? TestLoss, bool Diverged, int? DivergedAtEpoch, double TrainSeconds, List<EpochRecord> History,
        string TestPredictions, List<StoredSnapshot> Snapshots);

    /// <summary>Where each snapshot lies in snapshots.bin.</summary>
    public sealed record StoredSnapshot(string Label, int Epoch, int Inputs, int Outputs);

    /// <inheritdoc />
    public override JsonNode ToPayload(ScratchResult r) => JsonSerializer.SerializeToNode(new Stored(
        r.Config, dataIds ?? [], r.Inputs, r.Classes, r.TrainAccuracy, r.TrainLoss, r.ValidationAccuracy, r.TestAccuracy, r.TestLoss, r.Diverged,
        r.DivergedAtEpoch, r.TrainSeconds, r.History.Epochs, StoredEvaluation.Encode(r.TestPredictions.Select(p => (long)p).ToArray()),
        r.Snapshots.Select(s => new StoredSnapshot(s.Label, s.Epoch, s.Inputs, s.Outputs)).ToList()), WorkbookJson.Records)!;

    /// <inheritdoc />
    public override ScratchResult FromPayload(JsonNode payload, RunRecord record, RunSource source)
    {
        var s = payload.Deserialize<Stored>(WorkbookJson.Records) ?? throw new InvalidDataException("empty run");
        return new ScratchResult
        {
            Config = s.Config, History = new History { Epochs = s.History }, Inputs = s.Inputs, Classes = s.Classes,
            TrainAccuracy = s.TrainAccuracy, TrainLoss = s.TrainLoss, ValidationAccuracy = s.ValidationAccuracy,
            TestAccuracy = s.TestAccuracy, TestLoss = s.TestLoss, Diverged = s.Diverged, DivergedAtEpoch = s.DivergedAtEpoch,
            TrainSeconds = s.TrainSeconds, TestPredictions = s.TestPredictions.Select(c => c == '-' ? -1 : c - '0').ToArray(),
            // Snapshot shapes travel in the record; their values only with the model's files.
            Snapshots = s.Snapshots.Select(x => new WeightSnapshot(x.Label, x.Epoch, x.Inputs, x.Outputs, [])).ToList(),
            Source = source, Provenance = record.Provenance, CacheKey = record.Key,
        };
    }

    /// <inheritdoc />
    public override void SaveModel(ScratchResult result, string folder)
    {
        // Parameters in the network's dtype, W1, b1, W2, b2, ... back to back (shapes follow from the configuration).
        using (var file = File.Create(Path.Combine(folder, "weights.bin")))
            foreach (var (_, value) in result.Network!.NamedParameters())
            {
                using var dense = value.contiguous();
                file.Write(dense.bytes);
            }
        using (var file = File.Create(Path.Combine(folder, "snapshots.bin")))
            foreach (var s in result.Snapshots)
                file.Write(MemoryMarshal.AsBytes(s.Values.AsSpan()));
    }

    /// <inheritdoc />
    public override ScratchResult WithModel(ScratchResult result, string folder)
    {
        var config = result.Config;
        var widths = ScratchNet.Widths(config, result.Inputs, result.Classes);
        var raw = File.ReadAllBytes(Path.Combine(folder, "weights.bin"));
        int elementSize = config.DType == ScalarType.Float64 ? 8 : 4;
        long expected = Enumerable.Range(0, widths.Length - 1).Sum(k => (long)(widths[k] + 1) * widths[k + 1]) * elementSize;
        if (raw.Length != expected) throw new InvalidDataException($"weights.bin has {raw.Length} bytes, expected {expected}");
        var weights = new List<Tensor>();
        var biases = new List<Tensor>();
        int offset = 0;
        Tensor Take(long[] shape)
        {
            int bytes = (int)(shape.Aggregate(1L, (a, b) => a * b) * elementSize);
            var slice = raw.AsSpan(offset, bytes);
            offset += bytes;
            return config.DType == ScalarType.Float64
                ? tensor(MemoryMarshal.Cast<byte, double>(slice).ToArray(), shape, ScalarType.Float64)
                : tensor(MemoryMarshal.Cast<byte, float>(slice).ToArray(), shape, ScalarType.Float32);
        }
        for (int k = 0; k + 1 < widths.Length; k++)
        {
            weights.Add(Take([widths[k], widths[k + 1]]));
            biases.Add(Take([widths[k + 1]]));
        }

        var snapshotBytes = File.ReadAllBytes(Path.Combine(folder, "snapshots.bin"));
        var snapshots = new List<WeightSnapshot>();
        int at = 0;
        foreach (var s in result.Snapshots)
        {
            int count = s.Inputs * s.Outputs;
            if (at + count * 4 > snapshotBytes.Length) throw new InvalidDataException("snapshots.bin is shorter than its record says");
            snapshots.Add(s with { Values = MemoryMarshal.Cast<byte, float>(snapshotBytes.AsSpan(at, count * 4)).ToArray() });
            at += count * 4;
        }
        if (at != snapshotBytes.Length) throw new InvalidDataException("snapshots.bin does not match its record");
        return result with { Network = new ScratchNet(config, result.Inputs, result.Classes, weights, biases), Snapshots = snapshots };
    }

    /// <inheritdoc />
    public override RunNumbers Numbers(ScratchResult r)
    {
        var metrics = RunNumbers.OfHistory(r.History);
        metrics.Add(("train accuracy", r.TrainAccuracy));
        metrics.Add(("train loss", r.TrainLoss));
        if (r.ValidationAccuracy is { } v) metrics.Add(("validation accuracy", v));
        if (r.TestAccuracy is { } t) metrics.Add(("test accuracy", t));
        if (r.TestLoss is { } tl) metrics.Add(("test loss", tl));
        return new RunNumbers(r.History.Count, r.Config.Epochs, r.History.Last, metrics,
            StoredEvaluation.Encode(r.TestPredictions.Select(p => (long)p).ToArray()));
    }
}

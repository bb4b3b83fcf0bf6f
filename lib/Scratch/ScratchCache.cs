using System.Runtime.InteropServices;
using System.Text.Json;
using Workbook.Data;
using Workbook.Training;
using static TorchSharp.torch;

namespace Workbook.Scratch;

public static partial class ScratchTrainer
{
    /// <summary>The numbers of a finished run as stored in the cache (metrics.json).</summary>
    sealed record StoredMetrics(
        int Inputs, int Classes, double TrainAccuracy, double TrainLoss, double? ValidationAccuracy,
        double? TestAccuracy, double? TestLoss, bool Diverged, int? DivergedAtEpoch, double TrainSeconds,
        List<StoredSnapshot> Snapshots);

    /// <summary>Where each snapshot lies in snapshots.bin.</summary>
    sealed record StoredSnapshot(string Label, int Epoch, int Inputs, int Outputs);

    /// <summary>The cache key of a run: the configuration and the ids of the three datasets.</summary>
    public static string CacheKey(ScratchConfig config, Dataset train, Dataset? validation, Dataset? test) =>
        RunStore.KeyOf(new { kind = "scratch", config, data = train.Id + "|" + validation?.Id + "|" + test?.Id });

    /// <summary>
    /// <see cref="Train"/> through the run cache: when <paramref name="store"/> (default runs/, or
    /// WORKBOOK_RUNS_DIR) holds this exact run, it is loaded instead of trained
    /// (<see cref="ScratchResult.FromCache"/> is then true and <paramref name="progress"/> gets one
    /// "cached" report). A damaged entry is discarded by the store, or here when it no longer parses, and the
    /// run is trained again. Diverged runs are cached too: they are just as deterministic.
    /// </summary>
    public static ScratchResult TrainCached(ScratchConfig config, Dataset train, Dataset? validation = null, Dataset? test = null,
        Action<TrainingProgress>? progress = null, RunStore? store = null, string? name = null)
    {
        config.Validate();
        store ??= RunStore.Default;
        string key = CacheKey(config, train, validation, test);
        if (store.Open(key) is { } entry)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var loaded = TryLoad(entry, config, key);
            if (loaded != null)
            {
                var report = new TrainingProgress(name ?? "scratch " + config.Describe(loaded.Network.Inputs, loaded.Network.Classes),
                    loaded.History.Count, config.Epochs, loaded.History.Last, "cached", clock.Elapsed.TotalSeconds);
                progress?.Invoke(report);
                TrainingEvents.Publish(report);
                return loaded;
            }
        }
        var result = Train(config, train, validation, test, progress, name);
        Save(store, key, result);
        return result with { CacheKey = key };
    }

    static void Save(RunStore store, string key, ScratchResult result)
    {
        var net = result.Network;
        using var writer = store.Create(key);
        writer.WriteJson("config.json", result.Config);
        writer.WriteJson("history.json", result.History.Epochs);
        writer.WriteJson("metrics.json", new StoredMetrics(net.Inputs, net.Classes, result.TrainAccuracy, result.TrainLoss,
            result.ValidationAccuracy, result.TestAccuracy, result.TestLoss, result.Diverged, result.DivergedAtEpoch, result.TrainSeconds,
            result.Snapshots.Select(s => new StoredSnapshot(s.Label, s.Epoch, s.Inputs, s.Outputs)).ToList()));
        writer.WriteJson("predictions.json", result.TestPredictions);
        // Parameters in the network's dtype, W1, b1, W2, b2, ... back to back (shapes follow from config.json).
        using (var file = File.Create(writer.PathOf("weights.bin")))
            foreach (var (_, value) in net.NamedParameters())
            {
                using var dense = value.contiguous();
                file.Write(dense.bytes);
            }
        using (var file = File.Create(writer.PathOf("snapshots.bin")))
            foreach (var s in result.Snapshots)
                file.Write(MemoryMarshal.AsBytes(s.Values.AsSpan()));
        writer.Commit();
    }

    /// <summary>The cached result, or null (and the entry removed) when its files do not fit the configuration.</summary>
    static ScratchResult? TryLoad(RunEntry entry, ScratchConfig config, string key)
    {
        try
        {
            var metrics = entry.ReadJson<StoredMetrics>("metrics.json");
            var epochs = entry.ReadJson<List<EpochRecord>>("history.json");
            var predictions = entry.ReadJson<int[]>("predictions.json");
            var widths = ScratchNet.Widths(config, metrics.Inputs, metrics.Classes);
            var raw = entry.ReadBytes("weights.bin");
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

            var snapshotBytes = entry.ReadBytes("snapshots.bin");
            var snapshots = new List<WeightSnapshot>();
            int at = 0;
            foreach (var s in metrics.Snapshots)
            {
                int count = s.Inputs * s.Outputs;
                snapshots.Add(new WeightSnapshot(s.Label, s.Epoch, s.Inputs, s.Outputs, MemoryMarshal.Cast<byte, float>(snapshotBytes.AsSpan(at, count * 4)).ToArray()));
                at += count * 4;
            }
            if (at != snapshotBytes.Length) throw new InvalidDataException("snapshots.bin does not match metrics.json");

            return new ScratchResult
            {
                Config = config, History = new History { Epochs = epochs },
                Network = new ScratchNet(config, metrics.Inputs, metrics.Classes, weights, biases),
                TrainAccuracy = metrics.TrainAccuracy, TrainLoss = metrics.TrainLoss, ValidationAccuracy = metrics.ValidationAccuracy,
                TestAccuracy = metrics.TestAccuracy, TestLoss = metrics.TestLoss, Diverged = metrics.Diverged, DivergedAtEpoch = metrics.DivergedAtEpoch,
                TestPredictions = predictions, Snapshots = snapshots, TrainSeconds = metrics.TrainSeconds, FromCache = true, CacheKey = key,
            };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or ArgumentException or NotSupportedException)
        {
            Console.WriteLine($"run cache: entry {key} does not fit this version of the scratch trainer ({e.Message}); it will be trained again");
            try { Directory.Delete(entry.Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return null;
        }
    }
}

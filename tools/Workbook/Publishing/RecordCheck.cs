using System.Text.Json;
using Workbook.Data;
using Workbook.Models;
using Workbook.Runtime;
using Workbook.Scratch;
using Workbook.Training;

namespace Workbook.Cli.Publishing;

/// <summary>
/// Proof that the published records are this code's: each record's key must be the key this code
/// computes for its spec and data, and a record can be retrained to compare its numbers bit for bit.
/// </summary>
public static class RecordCheck
{
    /// <summary>What to tell a maintainer whose record no longer matches the code.</summary>
    static string Rerun(RunRecord r) =>
        $"re-run `dotnet run --project tools/Workbook -- run notebooks/{r.Provenance.Notebook}.ipynb --profile paper --publish`";

    /// <summary>Every problem with the published records: stale code versions, keys this code would not compute, unreadable files.</summary>
    public static IReadOnlyList<string> Problems(PublishedResults results)
    {
        var problems = new List<string>();
        foreach (var file in results.RecordFiles())
        {
            string where = Path.GetRelativePath(results.Root, file);
            try
            {
                var record = PublishedResults.Read(file);
                int current = record.Kind switch { TrainedRunFormat.KindName => CodeVersion.Trainer, ScratchRunFormat.KindName => CodeVersion.Scratch, _ => -1 };
                if (current < 0) { problems.Add($"{where}: unknown kind '{record.Kind}'"); continue; }
                if (record.CodeVersion != current)
                {
                    problems.Add($"{where} (run '{record.Name}') was made by {record.Kind} code version {record.CodeVersion}, this code is version {current}: {Rerun(record)}");
                    continue;
                }
                var key = KeyFor(record);
                if (key != record.Key)
                    problems.Add($"{where} (run '{record.Name}'): this code computes key {key} for its spec and data, the record has {record.Key} " +
                                 $"(the spec, the model's layers or the key's make-up changed without a version bump): {Rerun(record)}");
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or ArgumentException or KeyNotFoundException)
            {
                problems.Add($"{where}: cannot be read ({e.Message})");
            }
        }
        return problems;
    }

    /// <summary>The key this code computes for a record's spec and data.</summary>
    public static string KeyFor(RunRecord record)
    {
        if (record.Kind == ScratchRunFormat.KindName)
        {
            var s = record.Run.Deserialize<ScratchRunFormat.Stored>(WorkbookJson.Records) ?? throw new InvalidDataException("empty run");
            return ScratchTrainer.CacheKey(s.Config, s.DataIds);
        }
        var t = record.Run.Deserialize<TrainedRunFormat.Stored>(WorkbookJson.Records) ?? throw new InvalidDataException("empty run");
        int classes = (t.Test ?? t.Validation)?.Confusion.Length ?? throw new InvalidDataException("the record has no evaluation to tell its classes");
        using var model = ModelZoo.Build(t.Spec.Model, classes);
        var architecture = ModelSummary.Of(t.Spec.Model, model).Signature;
        return Trainer.KeyOf(t.Spec, architecture, t.DataIds, ConvolutionGuard.NeedsPlainKernels(model));
    }

    /// <summary>The data ids of a record (train, validation, test; "" for none).</summary>
    public static string[] DataIdsOf(RunRecord record) => record.Kind == ScratchRunFormat.KindName
        ? record.Run.Deserialize<ScratchRunFormat.Stored>(WorkbookJson.Records)!.DataIds
        : record.Run.Deserialize<TrainedRunFormat.Stored>(WorkbookJson.Records)!.DataIds;

    /// <summary>
    /// True when a record can be retrained here bit for bit: trained on the CPU, on data this code can rebuild. Decided
    /// from the data ids alone: rebuilding every record's data to find the quickest once grew the test host to 15-24 GB.
    /// </summary>
    public static bool CanRetrain(RunRecord record, FashionMnistData data) =>
        record.Provenance.Device.StartsWith("cpu", StringComparison.OrdinalIgnoreCase)
        && DataIdsOf(record).All(id => id.Length == 0 || DatasetIds.CanRebuild(id, data));

    /// <summary>
    /// Trains a record's run again from scratch, with the record's thread count, in a throw-away cache,
    /// and compares every number with the record.
    /// </summary>
    public static RunComparison Retrain(RunRecord record, PublishedResults results, FashionMnistData data)
    {
        var ids = DataIdsOf(record);
        Dataset? Data(string id) => id.Length == 0 ? null
            : DatasetIds.Rebuild(id, data) ?? throw new InvalidDataException($"cannot rebuild data set '{id}'");
        var train = Data(ids[0])!;
        var store = new RunStore(Directory.CreateTempSubdirectory("workbook-retrain-").FullName);
        var cache = new RunCache(store, results) { Mode = CacheMode.Retrain };
        int threads = TorchSharp.torch.get_num_threads();
        try
        {
            TorchSharp.torch.set_num_threads(record.Provenance.Threads); // CPU results are reproducible for a fixed thread count
            RunLog.Clear();
            if (record.Kind == ScratchRunFormat.KindName)
            {
                var s = record.Run.Deserialize<ScratchRunFormat.Stored>(WorkbookJson.Records)!;
                ScratchTrainer.TrainCached(s.Config, train, Data(ids[1]), Data(ids[2]), cache: cache, name: record.Name);
            }
            else
            {
                var t = record.Run.Deserialize<TrainedRunFormat.Stored>(WorkbookJson.Records)!;
                Trainer.Train(t.Spec with { Name = record.Name }, train, Data(ids[1]), Data(ids[2]), cache: cache);
            }
            return RunLog.Entries.Single().Comparison ?? throw new InvalidOperationException("the retrained run was not compared with its record");
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
            Directory.Delete(store.Root, recursive: true);
        }
    }
}

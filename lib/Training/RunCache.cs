using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbook.Runtime;

namespace Workbook.Training;

/// <summary>The numbers of a run that must agree for two runs to be the same run (timings excluded).</summary>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Planned">Epochs planned.</param>
/// <param name="Last">The last epoch's record, for progress reports.</param>
/// <param name="Metrics">Named numbers: every epoch's losses and accuracies, the final evaluations.</param>
/// <param name="Predictions">The final test predictions, one character per example.</param>
public sealed record RunNumbers(int Epochs, int Planned, EpochRecord? Last, IReadOnlyList<(string Name, double Value)> Metrics, string Predictions)
{
    /// <summary>Every measured number of every epoch, named "epoch N train loss" and the like.</summary>
    public static List<(string Name, double Value)> OfHistory(History history)
    {
        var metrics = new List<(string, double)>();
        foreach (var e in history.Epochs)
        {
            metrics.Add(($"epoch {e.Epoch} train loss", e.TrainLoss));
            metrics.Add(($"epoch {e.Epoch} train accuracy", e.TrainAccuracy));
            if (e.ValidationLoss is { } vl) metrics.Add(($"epoch {e.Epoch} validation loss", vl));
            if (e.ValidationAccuracy is { } va) metrics.Add(($"epoch {e.Epoch} validation accuracy", va));
            if (e.TestLoss is { } tl) metrics.Add(($"epoch {e.Epoch} test loss", tl));
            if (e.TestAccuracy is { } ta) metrics.Add(($"epoch {e.Epoch} test accuracy", ta));
            metrics.Add(($"epoch {e.Epoch} learning rate", e.LearningRate));
        }
        return metrics;
    }
}

/// <summary>How one kind of run (the trainer's, the from-scratch network's) is stored and compared.</summary>
public abstract class RunFormat<TRun> where TRun : class
{
    /// <summary>The kind's name in records: "trainer" or "scratch".</summary>
    public abstract string Kind { get; }
    /// <summary>The version of the code that makes this kind of run.</summary>
    public abstract int CodeVersion { get; }
    /// <summary>Files the model takes in a cache entry (weights and the like).</summary>
    public abstract IReadOnlyList<string> ModelFiles { get; }
    /// <summary>The run's content for its record (no weights).</summary>
    public abstract JsonNode ToPayload(TRun run);
    /// <summary>A run from its record's content, without a model.</summary>
    public abstract TRun FromPayload(JsonNode payload, RunRecord record, RunSource source);
    /// <summary>Writes the model's files into <paramref name="folder"/>.</summary>
    public abstract void SaveModel(TRun run, string folder);
    /// <summary>The run with its model loaded from <paramref name="folder"/>; throws InvalidDataException when the files do not fit.</summary>
    public abstract TRun WithModel(TRun run, string folder);
    /// <summary>The numbers that identify the run's outcome.</summary>
    public abstract RunNumbers Numbers(TRun run);
}

/// <summary>How a retrained run compares with its published record.</summary>
/// <param name="Identical">Every number (history, final evaluations, predictions) is the same bit for bit.</param>
/// <param name="Differences">The numbers that differ, as "name: published -> now", at most a few.</param>
/// <param name="DifferingCount">How many numbers differ in all.</param>
public sealed record RunComparison(bool Identical, IReadOnlyList<string> Differences, int DifferingCount)
{
    /// <summary>Compares two runs' numbers.</summary>
    public static RunComparison Of(RunNumbers published, RunNumbers now)
    {
        var differences = new List<string>();
        var before = published.Metrics.ToDictionary(m => m.Name, m => m.Value);
        foreach (var (name, value) in now.Metrics)
        {
            bool same = before.TryGetValue(name, out var old) && (old.Equals(value));
            if (!same) differences.Add(before.ContainsKey(name) ? $"{name}: {old:R} -> {value:R}" : $"{name}: (absent) -> {value:R}");
        }
        foreach (var name in before.Keys.Except(now.Metrics.Select(m => m.Name))) differences.Add($"{name}: {before[name]:R} -> (absent)");
        if (published.Predictions != now.Predictions)
        {
            int n = Math.Min(published.Predictions.Length, now.Predictions.Length);
            int changed = Enumerable.Range(0, n).Count(i => published.Predictions[i] != now.Predictions[i]) + Math.Abs(published.Predictions.Length - now.Predictions.Length);
            differences.Add($"test predictions: {changed} of {Math.Max(published.Predictions.Length, now.Predictions.Length)} differ");
        }
        return new RunComparison(differences.Count == 0, differences.Take(8).ToList(), differences.Count);
    }

    /// <summary>"identical to the published record" or the differences.</summary>
    public override string ToString() => Identical ? "identical to the published record, bit for bit"
        : $"{DifferingCount} numbers differ from the published record: {string.Join("; ", Differences)}";
}

/// <summary>One run a notebook asked for, and where its numbers came from.</summary>
public sealed record RunLogEntry(string Name, string Key, string Kind, RunSource Source, RunProvenance Provenance, RunComparison? Comparison);

/// <summary>The runs resolved in this process (the runner clears it before each notebook), for provenance tables.</summary>
public static class RunLog
{
    static readonly List<RunLogEntry> entries = new();

    /// <summary>The runs so far, in the order asked for.</summary>
    public static IReadOnlyList<RunLogEntry> Entries { get { lock (entries) return entries.ToList(); } }

    /// <summary>Forgets every entry.</summary>
    public static void Clear() { lock (entries) entries.Clear(); }

    internal static void Add(RunLogEntry entry) { lock (entries) entries.Add(entry); }
}

/// <summary>What the cache does with stored results.</summary>
public enum CacheMode
{
    /// <summary>Use this machine's cache, then the published results, and train only what neither has.</summary>
    Reuse,
    /// <summary>Train everything again; compare each run with its published record, if any.</summary>
    Retrain,
}

/// <summary>
/// The one run cache of the workbook. It owns the keys' code versions, the lookup in this machine's
/// cache (runs/) and in the published results (results/), saving new runs, discarding damaged entries
/// and publishing. A trainer hands it a key and a way to train; it returns the run from wherever it is.
/// </summary>
public sealed class RunCache(RunStore local, PublishedResults? published = null)
{
    /// <summary>The environment variable that makes every run retrain (<see cref="CacheMode.Retrain"/>): 1 or true.</summary>
    public const string RetrainVariable = "WORKBOOK_RETRAIN";
    /// <summary>The environment variable that makes new runs be published into results/: 1 or true.</summary>
    public const string PublishVariable = "WORKBOOK_PUBLISH";

    /// <summary>runs/ and results/ of this repository, in the mode the environment asks for.</summary>
    public static RunCache Default => new(RunStore.Default, PublishedResults.Default)
    {
        Mode = Flag(RetrainVariable) ? CacheMode.Retrain : CacheMode.Reuse,
        Publish = Flag(PublishVariable),
    };

    static bool Flag(string name) => Environment.GetEnvironmentVariable(name)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>This machine's cache.</summary>
    public RunStore Local { get; } = local;
    /// <summary>The published results, if used.</summary>
    public PublishedResults? Published { get; } = published;
    /// <summary>Whether stored results are used.</summary>
    public CacheMode Mode { get; init; } = CacheMode.Reuse;
    /// <summary>Whether runs trained now are written into the published results.</summary>
    public bool Publish { get; init; }

    const string RecordFile = "run.json";

    /// <summary>A key from the kind's code version and whatever determines the run.</summary>
    public static string KeyOf(string kind, int code, object identity) => RunStore.KeyOf(new { kind, code, identity });

    /// <summary>
    /// The run for <paramref name="key"/>: from this machine's cache, else from the published results
    /// (retrained when the model is needed and its weights are not published), else trained by
    /// <paramref name="train"/>. Progress of a loaded run is reported once, as cached or published.
    /// </summary>
    public TRun Resolve<TRun>(RunFormat<TRun> format, string key, string name, Func<TRun> train, bool needModel,
        Action<TrainingProgress> report) where TRun : class
    {
        RunRecord? publishedRecord = null;
        try { publishedRecord = Published?.Find(key); }
        catch (InvalidDataException e) { Console.WriteLine($"published results: {e.Message}; the run is trained instead"); }

        if (Mode == CacheMode.Reuse)
        {
            if (Local.Open(key) is { } entry && TryLoadLocal(format, entry) is { } cached)
            {
                if (Publish && needModel && publishedRecord != null) AttachModel(format, publishedRecord, cached.Run, entry.Directory);
                return Loaded(format, cached.Run, cached.Record, RunSource.LocalCache, name, report, null);
            }
            if (publishedRecord != null)
            {
                var run = format.FromPayload(publishedRecord.Run, publishedRecord, RunSource.Published);
                if (!needModel) return Loaded(format, run, publishedRecord, RunSource.Published, name, report, null);
                if (Published!.ModelFilesOf(publishedRecord, format.ModelFiles) is { } files)
                {
                    var folder = Leftovers.NewTempFolder("workbook-weights");
                    try
                    {
                        for (int i = 0; i < files.Count; i++) File.Copy(files[i], Path.Combine(folder.FullName, format.ModelFiles[i]));
                        return Loaded(format, format.WithModel(run, folder.FullName), publishedRecord, RunSource.Published, name, report, null);
                    }
                    catch (InvalidDataException e) { Console.WriteLine($"published weights of {key} do not fit ({e.Message}); retraining"); }
                    finally { folder.Delete(recursive: true); }
                }
                Console.WriteLine($"{name}: the published record {key} has no weights and this step needs the model: training it again (deterministic on the CPU)");
            }
        }

        var clock = Stopwatch.StartNew();
        var trained = train();
        var provenance = RunProvenance.Now(clock.Elapsed.TotalSeconds);
        var record = new RunRecord { Kind = format.Kind, Key = key, CodeVersion = format.CodeVersion, Name = name, Provenance = provenance, Run = format.ToPayload(trained) };
        string saved = Save(format, trained, record);
        if (Publish && Published != null)
            Published.Write(record, needModel ? format.ModelFiles.Select(f => Path.Combine(saved, f)).ToList() : [], format.ModelFiles);
        RunComparison? comparison = null;
        if (publishedRecord != null)
        {
            comparison = RunComparison.Of(format.Numbers(format.FromPayload(publishedRecord.Run, publishedRecord, RunSource.Published)), format.Numbers(trained));
            Console.WriteLine($"{name}: retrained; {comparison}");
        }
        RunLog.Add(new RunLogEntry(name, key, format.Kind, RunSource.Trained, provenance, comparison));
        return trained;
    }

    TRun Loaded<TRun>(RunFormat<TRun> format, TRun run, RunRecord record, RunSource source, string name,
        Action<TrainingProgress> report, RunComparison? comparison) where TRun : class
    {
        var numbers = format.Numbers(run);
        report(new TrainingProgress(name, numbers.Epochs, numbers.Planned, numbers.Last,
            source == RunSource.Published ? RunState.Published : RunState.Cached, 0));
        RunLog.Add(new RunLogEntry(name, record.Key, format.Kind, source, record.Provenance, comparison));
        return run;
    }

    /// <summary>Saves a new run in this machine's cache; returns its folder there.</summary>
    string Save<TRun>(RunFormat<TRun> format, TRun run, RunRecord record) where TRun : class
    {
        using var writer = Local.Create(record.Key);
        writer.WriteJson(RecordFile, record);
        format.SaveModel(run, writer.Directory);
        return writer.Commit();
    }

    /// <summary>
    /// A publishing run that needs the model of a run published without it attaches this machine's copy of the
    /// model to the published record, when the local run's numbers are the published ones (so a fresh clone loads the
    /// model instead of retraining). The published record keeps its own provenance.
    /// </summary>
    void AttachModel<TRun>(RunFormat<TRun> format, RunRecord publishedRecord, TRun local, string entryFolder) where TRun : class
    {
        if (Published == null || format.ModelFiles.Count == 0 || Published.ModelFilesOf(publishedRecord, format.ModelFiles) != null) return;
        var comparison = RunComparison.Of(format.Numbers(format.FromPayload(publishedRecord.Run, publishedRecord, RunSource.Published)), format.Numbers(local));
        if (!comparison.Identical)
        {
            Console.WriteLine($"{publishedRecord.Name}: the local copy is not the published run ({comparison}); its model is not published");
            return;
        }
        Published.Write(publishedRecord, format.ModelFiles.Select(f => Path.Combine(entryFolder, f)).ToList(), format.ModelFiles);
    }

    (TRun Run, RunRecord Record)? TryLoadLocal<TRun>(RunFormat<TRun> format, RunEntry entry) where TRun : class
    {
        if (!entry.Has(RecordFile) || format.ModelFiles.Any(f => !entry.Has(f)))
        {
            var missing = entry.Has(RecordFile) ? string.Join(", ", format.ModelFiles.Where(f => !entry.Has(f))) : RecordFile;
            RunStore.Discard(entry.Directory, $"it lacks {missing}");
            return null;
        }
        try
        {
            var record = entry.ReadJson<RunRecord>(RecordFile);
            if (record.Format != RunRecord.CurrentFormat || record.Kind != format.Kind || record.CodeVersion != format.CodeVersion)
                throw new InvalidDataException($"it was written by other code ({record.Kind} v{record.CodeVersion}, format {record.Format})");
            var run = format.FromPayload(record.Run, record, RunSource.LocalCache);
            // The model is always loaded from a local entry: its files are here, and loading them checks them.
            return (format.WithModel(run, entry.Directory), record);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or ArgumentException or NotSupportedException or KeyNotFoundException or InvalidOperationException)
        {
            RunStore.Discard(entry.Directory, $"could not be read: {e.Message}");
            return null;
        }
    }
}

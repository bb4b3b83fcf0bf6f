using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using Workbook.Runtime;

namespace Workbook.Training;

/// <summary>
/// One stored run as a small JSON text: what was trained (the kind's payload), under which key and code
/// version, and its provenance. The same record is the run.json of a local cache entry and a file of
/// the published results.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The record format; a record of another format is not read.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Format of this record.</summary>
    public int Format { get; init; } = CurrentFormat;
    /// <summary>Which trainer made it: "trainer" or "scratch".</summary>
    public required string Kind { get; init; }
    /// <summary>The run-cache key.</summary>
    public required string Key { get; init; }
    /// <summary>The version of the code that made it (<see cref="CodeVersion"/>).</summary>
    public int CodeVersion { get; init; }
    /// <summary>The display name it was trained under.</summary>
    public string Name { get; init; } = "";
    /// <summary>How, where and when it was trained.</summary>
    public required RunProvenance Provenance { get; init; }
    /// <summary>The published weights file and its SHA-256, when the weights are published too.</summary>
    public PublishedFile? Weights { get; init; }
    /// <summary>The model's other published files (e.g. a from-scratch run's weight snapshots), named &lt;key&gt;.&lt;file&gt;.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] // absent from the records of single-file models
    public IReadOnlyList<PublishedFile>? OtherModelFiles { get; init; }
    /// <summary>The kind's own content: spec, history, final evaluations.</summary>
    public required JsonNode Run { get; init; }
}

/// <summary>A file published beside a record.</summary>
/// <param name="File">Its name, in the record's folder.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its content.</param>
public sealed record PublishedFile(string File, string Sha256);

/// <summary>
/// The results published in the repository (results/): one record per run, filed by notebook as
/// results/&lt;notebook&gt;/&lt;key&gt;.json, with a weights file beside it only for the few small models a
/// later step needs. Read by everyone; written only by a maintainer's publishing run
/// (<c>workbook run --profile paper --publish</c>).
/// </summary>
public sealed class PublishedResults(string root)
{
    /// <summary>The published results of this repository: &lt;root&gt;/results, or WORKBOOK_RESULTS_DIR.</summary>
    public static PublishedResults Default => new(WorkbookPaths.Results);

    /// <summary>The folder holding them.</summary>
    public string Root { get; } = root;

    /// <summary>Weights above this size are never published (a notebook that needs them retrains the run).</summary>
    public const long MaxWeightsBytes = 4 << 20;

    /// <summary>The path of the record for <paramref name="key"/>, or null when none is published.</summary>
    public string? PathOf(string key)
    {
        if (!Directory.Exists(Root)) return null;
        return Directory.EnumerateFiles(Root, key + ".json", SearchOption.AllDirectories).FirstOrDefault();
    }

    /// <summary>Every published record file.</summary>
    public IEnumerable<string> RecordFiles() => Directory.Exists(Root)
        ? Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories)
            .Where(f => IsRecordName(Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal)
        : [];

    /// <summary>Record files are named by their 20-hex-digit key.</summary>
    static bool IsRecordName(string file) =>
        file.Length == 25 && file.EndsWith(".json") && file[..20].All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>Reads one record; a damaged or foreign file is an error that names it.</summary>
    public static RunRecord Read(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), WorkbookJson.Records)
                ?? throw new InvalidDataException("empty");
            if (record.Format != RunRecord.CurrentFormat)
                throw new InvalidDataException($"record format {record.Format}, this code reads {RunRecord.CurrentFormat}");
            if (Path.GetFileNameWithoutExtension(path) != record.Key)
                throw new InvalidDataException($"file name does not match its key {record.Key}");
            return record;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"published record {path} is not a valid record: {e.Message}", e);
        }
    }

    /// <summary>The published record for <paramref name="key"/>, or null when there is none.</summary>
    public RunRecord? Find(string key) => PathOf(key) is { } path ? Read(path) : null;

    /// <summary>The published weights of a record, verified against its checksum; null when none are published or they do not match.</summary>
    public string? WeightsOf(RunRecord record) => record.Weights is { } weights ? Verified(record, weights) : null;

    /// <summary>
    /// A record's published model files in the order of <paramref name="names"/> (the first is the weights, the
    /// others are found as &lt;key&gt;.&lt;name&gt;), each verified against its checksum; null unless all are there and sound.
    /// </summary>
    public IReadOnlyList<string>? ModelFilesOf(RunRecord record, IReadOnlyList<string> names)
    {
        if (names.Count == 0 || WeightsOf(record) is not { } weights) return null;
        var paths = new List<string> { weights };
        foreach (var name in names.Skip(1))
        {
            var file = record.OtherModelFiles?.FirstOrDefault(f => f.File == record.Key + "." + name);
            if (file == null || Verified(record, file) is not { } path) return null;
            paths.Add(path);
        }
        return paths;
    }

    string? Verified(RunRecord record, PublishedFile file)
    {
        if (PathOf(record.Key) is not { } recordPath) return null;
        var path = Path.Combine(Path.GetDirectoryName(recordPath)!, file.File);
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return Sha256Of(stream) == file.Sha256 ? path : null;
    }

    /// <summary>
    /// Publishes a record under results/&lt;notebook&gt;/ with its model files, when given (<paramref name="paths"/>,
    /// named <paramref name="names"/> by the run's format; the first is the weights): all of them when each is at most
    /// <see cref="MaxWeightsBytes"/>, else none. Files are written under temporary names and renamed, so a reader
    /// never sees half a record.
    /// </summary>
    public string Write(RunRecord record, IReadOnlyList<string>? paths = null, IReadOnlyList<string>? names = null)
    {
        paths ??= [];
        var folder = Path.Combine(Root, Safe(record.Provenance.Notebook));
        Directory.CreateDirectory(folder);
        if (PathOf(record.Key) is { } old && Path.GetDirectoryName(old) != folder) File.Delete(old); // filed by one notebook only
        if (paths.Count > 0 && paths.All(p => new FileInfo(p).Length <= MaxWeightsBytes))
        {
            var published = paths.Select((path, i) =>
            {
                var name = record.Key + "." + (i == 0 ? "weights.bin" : names![i]);
                AtomicFile.Copy(path, Path.Combine(folder, name));
                using var stream = File.OpenRead(path);
                return new PublishedFile(name, Sha256Of(stream));
            }).ToList();
            record = record with { Weights = published[0], OtherModelFiles = published.Count > 1 ? published.Skip(1).ToList() : null };
        }
        var path = Path.Combine(folder, record.Key + ".json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, WorkbookJson.Records) + "\n");
        return path;
    }

    static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    internal static string Sha256Of(Stream stream) => Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
}

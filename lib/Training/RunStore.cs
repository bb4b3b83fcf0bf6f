using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Workbook.Runtime;

namespace Workbook.Training;

/// <summary>
/// The run cache: one folder per finished run under runs/, named by a hash of everything that
/// determines the run. A folder appears only complete (written under a temporary name, then renamed)
/// and carries a manifest with the SHA-256 of each file, so a damaged entry is detected, removed and
/// retrained instead of being half-read.
/// </summary>
public sealed class RunStore(string root)
{
    /// <summary>The store under runs/ (or WORKBOOK_RUNS_DIR).</summary>
    public static RunStore Default => new(WorkbookPaths.Runs);

    /// <summary>The folder holding the entries.</summary>
    public string Root { get; } = root;

    const string ManifestName = "manifest.json";

    /// <summary>A stable key for a specification: the first 20 hex digits of the SHA-256 of its JSON.</summary>
    public static string KeyOf(object spec)
    {
        var json = JsonSerializer.Serialize(spec, spec.GetType(), WorkbookJson.Compact);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..20].ToLowerInvariant();
    }

    /// <summary>The finished entry for <paramref name="key"/>, or null when there is none or it is damaged (then it is removed).</summary>
    public RunEntry? Open(string key)
    {
        var dir = Path.Combine(Root, key);
        if (!Directory.Exists(dir)) return null;
        var (manifest, problem) = Verify(dir);
        if (manifest != null) return new RunEntry(dir, manifest.Keys.ToHashSet());
        DiscardDamaged(dir, problem!);
        return null;
    }

    /// <summary>The entry's manifest when every file matches it, else null and what is wrong.</summary>
    static (Dictionary<string, string>? Manifest, string? Problem) Verify(string dir)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(dir, ManifestName)))
                ?? throw new InvalidDataException("empty manifest");
            foreach (var (file, sha) in manifest)
            {
                var path = Path.Combine(dir, file);
                if (!File.Exists(path)) throw new InvalidDataException($"{file} is missing");
                using var stream = File.OpenRead(path);
                if (Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant() != sha)
                    throw new InvalidDataException($"{file} does not match its checksum");
            }
            return (manifest, null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Starts writing a new entry; nothing is visible under the key until <see cref="RunWriter.Commit"/>.</summary>
    public RunWriter Create(string key)
    {
        Directory.CreateDirectory(Root);
        RemoveAbandoned();
        var temp = Path.Combine(Root, $"{TempPrefix}{key}-{Leftovers.NewTag()}");
        Directory.CreateDirectory(temp);
        return new RunWriter(this, key, temp);
    }

    /// <summary>Temporary folders: .tmp-{key}-{pid}-{hex}, both while an entry is written and when one is set aside to be deleted.</summary>
    const string TempPrefix = ".tmp-";

    /// <summary>
    /// Removes .tmp-* folders whose writer is gone (a run killed before its commit, or between
    /// setting an entry aside and deleting it). Folders named by older versions carry no process id
    /// and are removed once a day old.
    /// </summary>
    void RemoveAbandoned()
    {
        foreach (var dir in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
        {
            var rest = Path.GetFileName(dir)[TempPrefix.Length..];
            int dash = rest.IndexOf('-');
            var tag = dash < 0 ? rest : rest[(dash + 1)..];
            if (Leftovers.IsAbandoned(dir, Leftovers.OwnerOf(tag))) Leftovers.Remove(dir);
        }
    }

    /// <summary>
    /// Renames an entry out of the way (one atomic rename, so no reader ever sees half of it) and
    /// deletes it. False when it was no longer there: another process moved it first.
    /// </summary>
    static bool SetAsideAndDelete(string dir)
    {
        var aside = AsideName(dir);
        try { Directory.Move(dir, aside); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        Leftovers.Remove(aside);
        return true;
    }

    /// <summary>A temporary name beside an entry, owned by this process.</summary>
    static string AsideName(string dir) =>
        Path.Combine(Path.GetDirectoryName(dir)!, $"{TempPrefix}{Path.GetFileName(dir)}-{Leftovers.NewTag()}");

    /// <summary>Removes an entry that cannot be used (and says so on the console).</summary>
    internal static void Discard(string dir, string why)
    {
        Console.WriteLine($"run cache: discarding damaged entry {Path.GetFileName(dir)} ({why}); it will be trained again");
        SetAsideAndDelete(dir);
    }

    /// <summary>Removes an entry that failed its check in <see cref="Open"/>, unless it was replaced meanwhile.</summary>
    static void DiscardDamaged(string dir, string why)
    {
        // Another process may have replaced the damaged entry with a good one since it was checked:
        // set it aside first, and if what was set aside is complete after all, put it back.
        var aside = AsideName(dir);
        try { Directory.Move(dir, aside); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // gone already
        if (Verify(aside).Manifest != null)
        {
            try { Directory.Move(aside, dir); return; }
            catch (IOException) { /* a newer entry took its place: drop this copy */ }
        }
        else Console.WriteLine($"run cache: discarding damaged entry {Path.GetFileName(dir)} ({why}); it will be trained again");
        Leftovers.Remove(aside);
    }

    /// <summary>
    /// Writes the manifest and moves a finished temporary folder into place. When a complete entry
    /// already holds the key (another process trained the same run at the same time: runs are
    /// deterministic, so it is the same result), that one is kept and ours is dropped; a damaged one
    /// is set aside and replaced. Every step is one rename, so two writers never throw or delete a
    /// good entry, and readers see either no entry or a complete one.
    /// </summary>
    internal string Commit(string key, string temp)
    {
        var manifest = new Dictionary<string, string>();
        foreach (var file in Directory.GetFiles(temp).OrderBy(f => f, StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            manifest[Path.GetFileName(file)] = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }
        File.WriteAllText(Path.Combine(temp, ManifestName), JsonSerializer.Serialize(manifest, WorkbookJson.Records));
        var final = Path.Combine(Root, key);
        for (int attempt = 0; ; attempt++)
        {
            if (Directory.Exists(final))
            {
                if (Verify(final).Manifest != null)
                {
                    Leftovers.Remove(temp);
                    return final;
                }
                SetAsideAndDelete(final);
            }
            try
            {
                Directory.Move(temp, final);
                return final;
            }
            // Lost a race: the key appeared between the check and the rename. Look again (bounded,
            // so a folder that can never be replaced is an error rather than a loop).
            catch (IOException) when (Directory.Exists(final) && attempt < 100) { }
        }
    }
}

/// <summary>A finished, verified cache entry.</summary>
public sealed class RunEntry(string directory, IReadOnlySet<string> files)
{
    /// <summary>The entry's folder.</summary>
    public string Directory { get; } = directory;
    /// <summary>The files it holds.</summary>
    public IReadOnlySet<string> Files { get; } = files;

    /// <summary>The full path of one of its files.</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);
    /// <summary>Whether it holds a file.</summary>
    public bool Has(string name) => Files.Contains(name);
    /// <summary>Reads a JSON file.</summary>
    public T ReadJson<T>(string name) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(PathOf(name)), WorkbookJson.Records) ?? throw new InvalidDataException($"{name} is empty");
    /// <summary>Reads a binary file.</summary>
    public byte[] ReadBytes(string name) => File.ReadAllBytes(PathOf(name));
}

/// <summary>Collects the files of a new entry in a temporary folder.</summary>
public sealed class RunWriter : IDisposable
{
    readonly RunStore store;
    bool committed;

    internal RunWriter(RunStore store, string key, string temp) { this.store = store; Key = key; Directory = temp; }

    /// <summary>The key the entry will have.</summary>
    public string Key { get; }
    /// <summary>The temporary folder being written.</summary>
    public string Directory { get; }

    /// <summary>Where to write a file (for writers that want a path, such as Module.save).</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);
    /// <summary>Writes a JSON file.</summary>
    public void WriteJson<T>(string name, T value) => File.WriteAllText(PathOf(name), JsonSerializer.Serialize(value, WorkbookJson.Records));

    /// <summary>Makes the entry visible under its key; returns its folder.</summary>
    public string Commit()
    {
        var final = store.Commit(Key, Directory);
        committed = true;
        return final;
    }

    /// <summary>Removes the temporary folder if the entry was not committed (a failed or abandoned run).</summary>
    public void Dispose()
    {
        if (!committed) Leftovers.Remove(Directory);
    }
}

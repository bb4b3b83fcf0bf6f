using System.Diagnostics;
using System.Globalization;

namespace Workbook.Runtime;

/// <summary>
/// Temporary files and folders that a killed process leaves behind (a .part download, a run cache's
/// .tmp-* folder, a `train --fresh` store). Their names carry the owner's process id, so the next
/// process can tell an abandoned one (owner gone) from one still being written.
/// </summary>
public static class Leftovers
{
    /// <summary>How old a leftover without an owner id (named by an older version) must be before it is removed.</summary>
    public static readonly TimeSpan OwnerlessAge = TimeSpan.FromDays(1);

    /// <summary>"{process id}-{16 hex digits}": the unique part of a temporary name that says who writes it.</summary>
    public static string NewTag() => $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..^16];

    /// <summary>The owner's process id from a name part made by <see cref="NewTag"/>, or null.</summary>
    public static int? OwnerOf(string tag)
    {
        var parts = tag.Split('-');
        return parts.Length == 2 && parts[1].Length == 16 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>True when the process is running (ids are reused only after the whole id range wraps).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Abandoned: its owner is not running, or it has no owner id and was last written over <see cref="OwnerlessAge"/> ago.</summary>
    public static bool IsAbandoned(string path, int? owner) =>
        owner is { } pid ? pid != Environment.ProcessId && !IsRunning(pid)
                         : DateTime.UtcNow - LastWriteUtc(path) > OwnerlessAge;

    static DateTime LastWriteUtc(string path) =>
        Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path);

    /// <summary>
    /// A new folder {prefix}-{tag} in the system's temporary folder. Folders of the same prefix that
    /// a killed process left there (its owner gone; without an owner id, a day old) are removed first.
    /// </summary>
    public static DirectoryInfo NewTempFolder(string prefix)
    {
        var temp = Path.GetTempPath();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(temp, prefix + "*"))
                if (IsAbandoned(dir, OwnerOf(Path.GetFileName(dir)[prefix.Length..].TrimStart('-')))) Remove(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // tried again next time
        return Directory.CreateDirectory(Path.Combine(temp, $"{prefix}-{NewTag()}"));
    }

    /// <summary>Deletes a file or folder if it can; a leftover that cannot be removed now is tried again next time.</summary>
    public static void Remove(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

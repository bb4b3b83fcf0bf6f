using System.Text;

namespace Workbook.Runtime;

/// <summary>
/// Writes files whole or not at all: the content goes to a temporary file in the same folder, which
/// then replaces the target in one rename. An interrupted write leaves the previous file as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically (UTF-8, no BOM).</summary>
    public static void WriteAllText(string path, string text) =>
        Replace(path, temp => File.WriteAllText(temp, text, new UTF8Encoding(false)));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Replace(path, temp => File.WriteAllBytes(temp, bytes));

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/> atomically.</summary>
    public static void Copy(string source, string path) => Replace(path, temp => File.Copy(source, temp, overwrite: true));

    static void Replace(string path, Action<string> write)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}

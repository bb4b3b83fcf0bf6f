namespace Workbook.Data;

/// <summary>
/// A data file is missing, malformed or not the expected one. The message names the file, says what
/// is wrong and how to fix it.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>The file (or folder) at fault, when there is one.</summary>
    public string? FilePath { get; }

    /// <summary>Creates the error.</summary>
    public DataException(string message, string? filePath = null, Exception? inner = null)
        : base(message, inner) => FilePath = filePath;
}

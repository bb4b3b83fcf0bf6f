using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbook.Runtime;

/// <summary>The JSON settings of the workbook's files and keys, defined once: enums are written by their names.</summary>
public static class WorkbookJson
{
    /// <summary>
    /// Compact, enums by name: the text that run-cache keys hash (any change here changes every key) and the
    /// settings claims files are read with.
    /// </summary>
    public static readonly JsonSerializerOptions Compact = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Indented, enums by name: claims files.</summary>
    public static readonly JsonSerializerOptions Indented = new(Compact) { WriteIndented = true };

    /// <summary>Indented, enums by name, NaN and infinities as named literals: run records and every file of the run cache.</summary>
    public static readonly JsonSerializerOptions Records = new(Indented) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}

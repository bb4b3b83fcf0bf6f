using Workbook.Cli.Runner.Formatting;

namespace Workbook.Cli.Runner;

/// <summary>
/// What <c>display(x)</c> returns: a handle on that one output. <see cref="Update"/> replaces what it
/// shows, so a training loop updates one chart per epoch instead of appending a new one each time.
/// Same shape as Polyglot's DisplayedValue.
/// </summary>
public sealed class DisplayedValue
{
    readonly CellOutputs outputs;
    readonly DisplayOutput output;
    readonly string[] mimeTypes;

    internal DisplayedValue(CellOutputs outputs, DisplayOutput output, string[] mimeTypes)
    {
        this.outputs = outputs;
        this.output = output;
        this.mimeTypes = mimeTypes;
    }

    /// <summary>An id for the output (as Polyglot's).</summary>
    public string DisplayId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Shows <paramref name="updatedValue"/> in place of what this output showed.</summary>
    public void Update(object updatedValue) => outputs.Replace(output, OutputFormatter.Format(updatedValue, mimeTypes));
}

/// <summary>
/// The globals every cell's script sees: the members of Polyglot's C# kernel that notebooks call
/// (<c>display</c>, <c>HTML</c>), with the same signatures, so a notebook runs unchanged in both.
/// </summary>
public sealed class NotebookGlobals
{
    CellOutputs current = new();

    /// <summary>Where display writes now: the outputs of the cell that is running.</summary>
    internal CellOutputs Outputs
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value);
    }

    /// <summary>Shows a value as a new output of the cell and returns a handle that can replace it.</summary>
    /// <param name="value">The value; it is rendered like a cell's last value.</param>
    /// <param name="mimeTypes">The MIME types to render it as (all it has when none are named).</param>
    public DisplayedValue display(object value, params string[] mimeTypes)
    {
        var outputs = Outputs;
        var output = outputs.AddDisplay(OutputFormatter.Format(value, mimeTypes));
        return new DisplayedValue(outputs, output, mimeTypes);
    }

    /// <summary>Marks a string as HTML to display as such.</summary>
    public HtmlContent HTML(string content) => new(content);
}

using System.Text;
using Workbook.Cli.Runner.Formatting;

namespace Workbook.Cli.Runner;

/// <summary>One output of a cell, in Jupyter's terms.</summary>
public abstract class CellOutput;

/// <summary>
/// A displayed value: <c>display(x)</c> (display_data) or the cell's last value (execute_result).
/// <see cref="Bundle"/> is replaced when its handle's Update is called.
/// </summary>
public sealed class DisplayOutput(MimeBundle bundle, bool isResult) : CellOutput
{
    /// <summary>The rendering shown now.</summary>
    public MimeBundle Bundle { get; internal set; } = bundle;
    /// <summary>True for the cell's value (execute_result), false for display_data.</summary>
    public bool IsResult { get; } = isResult;
}

/// <summary>Text the cell wrote to Console.Out (stdout) or Console.Error (stderr).</summary>
public sealed class StreamOutput(string name) : CellOutput
{
    /// <summary>stdout or stderr.</summary>
    public string Name { get; } = name;
    internal StringBuilder Buffer { get; } = new();
    /// <summary>The text written.</summary>
    public string Text => Buffer.ToString();
}

/// <summary>The exception (or compile error) that stopped the notebook in this cell.</summary>
public sealed class ErrorOutput(string name, string value, IReadOnlyList<string> traceback) : CellOutput
{
    /// <summary>The exception's type name, e.g. CompilationErrorException.</summary>
    public string Name { get; } = name;
    /// <summary>The message.</summary>
    public string Value { get; } = value;
    /// <summary>The message and the stack, one entry per line.</summary>
    public IReadOnlyList<string> Traceback { get; } = traceback;
}

/// <summary>
/// The outputs of one cell, in the order they happened. Safe to use from any thread: training
/// loops report progress from wherever they run.
/// </summary>
public sealed class CellOutputs
{
    readonly List<CellOutput> outputs = new();
    readonly object gate = new();

    /// <summary>A snapshot of the outputs.</summary>
    public IReadOnlyList<CellOutput> Items { get { lock (gate) return outputs.ToList(); } }

    /// <summary>Appends a displayed value.</summary>
    public DisplayOutput AddDisplay(MimeBundle bundle, bool isResult = false)
    {
        var output = new DisplayOutput(bundle, isResult);
        lock (gate) outputs.Add(output);
        return output;
    }

    /// <summary>Replaces a displayed value's rendering in place.</summary>
    public void Replace(DisplayOutput output, MimeBundle bundle)
    {
        lock (gate) output.Bundle = bundle;
    }

    /// <summary>Appends console text, joining it to the last output when that is the same stream, as Jupyter shows it.</summary>
    public void AppendStream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (outputs.LastOrDefault() is not StreamOutput s || s.Name != name)
            {
                s = new StreamOutput(name);
                outputs.Add(s);
            }
            s.Buffer.Append(text);
        }
    }

    /// <summary>Appends the error that ended the cell.</summary>
    public void AddError(ErrorOutput error)
    {
        lock (gate) outputs.Add(error);
    }
}

/// <summary>A Console.Out / Console.Error replacement that turns what a cell writes into a stream output.</summary>
sealed class StreamCapture(CellOutputs outputs, string name) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;
    public override void Write(char value) => outputs.AppendStream(name, value.ToString());
    public override void Write(string? value) => outputs.AppendStream(name, value ?? "");
    public override void Write(char[] buffer, int index, int count) => outputs.AppendStream(name, new string(buffer, index, count));
    public override void WriteLine(string? value) => outputs.AppendStream(name, (value ?? "") + NewLine);
}

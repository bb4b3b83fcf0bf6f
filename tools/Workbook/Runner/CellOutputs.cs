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
    bool frozen;

    /// <summary>
    /// Takes no more displays or console text: a cell stopped by its time limit or by Ctrl-C may
    /// still be running in the background, and its report is written from what it had made by then.
    /// The error that stopped it can still be added.
    /// </summary>
    public void Freeze()
    {
        lock (gate) frozen = true;
    }

    /// <summary>A snapshot of the outputs.</summary>
    public IReadOnlyList<CellOutput> Items { get { lock (gate) return outputs.ToList(); } }

    /// <summary>Appends a displayed value.</summary>
    public DisplayOutput AddDisplay(MimeBundle bundle, bool isResult = false)
    {
        var output = new DisplayOutput(bundle, isResult);
        lock (gate) if (!frozen) outputs.Add(output);
        return output;
    }

    /// <summary>Replaces a displayed value's rendering in place.</summary>
    public void Replace(DisplayOutput output, MimeBundle bundle)
    {
        lock (gate) if (!frozen) output.Bundle = bundle;
    }

    /// <summary>Appends console text, joining it to the last output when that is the same stream, as Jupyter shows it.</summary>
    public void AppendStream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (frozen) return;
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

/// <summary>
/// Console.Out and Console.Error while cells run: text goes to the outputs of the cell whose code
/// (or a task or thread it started) writes it, and elsewhere to the console as it was. The cell is
/// found through the execution context, not through a process-wide setting, so a cell abandoned at
/// its time limit that still writes never writes into another cell's outputs or onto the terminal.
/// </summary>
sealed class CellConsole(TextWriter fallback, string name) : TextWriter
{
    static readonly AsyncLocal<CellOutputs?> current = new();
    static readonly object gate = new();
    static TextWriter? installedOut, installedError;

    /// <summary>The outputs that console text of this execution context goes to (null: the fallback console).</summary>
    public static CellOutputs? Current { get => current.Value; set => current.Value = value; }

    /// <summary>Routes Console.Out and Console.Error through <see cref="Current"/>, unless they are routed already.</summary>
    public static void Install()
    {
        lock (gate)
        {
            if (Console.Out != installedOut)
            {
                Console.SetOut(new CellConsole(Console.Out, "stdout"));
                installedOut = Console.Out;
            }
            if (Console.Error != installedError)
            {
                Console.SetError(new CellConsole(Console.Error, "stderr"));
                installedError = Console.Error;
            }
        }
    }

    public override Encoding Encoding => Encoding.UTF8;
    public override void Write(char value) => Write(value.ToString());
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
    public override void WriteLine(string? value) => Write((value ?? "") + NewLine);
    public override void Write(string? value)
    {
        if (current.Value is { } outputs) outputs.AppendStream(name, value ?? "");
        else fallback.Write(value);
    }
    public override void Flush()
    {
        if (current.Value is null) fallback.Flush();
    }
}

using System.Globalization;
using Spectre.Console;
using Workbook.Training;

namespace Workbook.Cli.Runner;

/// <summary>
/// What the runner tells the person at the terminal: which notebook and cell is running, a progress
/// bar per training run (from <see cref="TrainingEvents"/>), and a summary table at the end. On a
/// terminal the bar redraws one line; when output is redirected (CI logs) every report is a plain line.
/// It writes to the console the runner started with, never to a cell's captured console.
/// </summary>
public sealed class ConsoleReporter
{
    readonly TextWriter terminal;
    readonly bool interactive;
    readonly IAnsiConsole console;
    readonly object gate = new();
    bool lineOpen;

    /// <summary>A reporter writing to <paramref name="terminal"/>; <paramref name="interactive"/> when it is a terminal, not a file or pipe.</summary>
    public ConsoleReporter(TextWriter terminal, bool interactive)
    {
        this.terminal = terminal;
        this.interactive = interactive;
        console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    /// <summary>A line of its own (closing an open progress line first).</summary>
    public void Line(string text)
    {
        lock (gate)
        {
            CloseLine();
            terminal.WriteLine(text);
            terminal.Flush();
        }
    }

    /// <summary>A notebook starts.</summary>
    public void NotebookStarting(string name, int index, int count, string profile) =>
        Line($"[{index}/{count}] {name}.ipynb ({profile} profile)");

    /// <summary>A code cell starts.</summary>
    public void CellStarting(Notebook notebook, NotebookCell cell, int codeCells)
    {
        int codeIndex = notebook.Cells.Where(c => c.Kind == CellKind.Code).TakeWhile(c => c != cell).Count() + 1;
        var text = $"  cell {cell.Number} (code cell {codeIndex}/{codeCells}) {FirstLine(cell.Source)}";
        if (interactive) Overwrite(text);
        else Line(text);
    }

    /// <summary>A training run reported progress.</summary>
    public void TrainingProgress(TrainingProgress p)
    {
        var figures = p.Last is { } last
            ? $"  loss {last.TrainLoss.ToString("0.0000", CultureInfo.InvariantCulture)}  acc {(last.TrainAccuracy * 100).ToString("0.0", CultureInfo.InvariantCulture)}%" +
              (last.ValidationAccuracy is { } va ? $"  val {(va * 100).ToString("0.0", CultureInfo.InvariantCulture)}%" : "") +
              (last.TestAccuracy is { } ta ? $"  test {(ta * 100).ToString("0.0", CultureInfo.InvariantCulture)}%" : "")
            : "";
        var time = $"  {p.ElapsedSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
        if (!interactive)
        {
            // A log gets one line per epoch: the once-a-second reports within an epoch are for live bars only.
            if (p.Batches == 0) Line($"    {p.Run}: epoch {p.Epoch}/{p.Epochs} {p.State.Words()}{figures}{time}");
            return;
        }
        const int width = 24;
        int filled = (int)Math.Round(width * Math.Clamp(p.Fraction, 0, 1));
        var bar = new string('#', filled) + new string('.', width - filled);
        Overwrite($"    {p.Run} [{bar}] {p.Epoch}/{p.Epochs} {p.State.Words()}{figures}{time}");
        if (p.State.IsFinal()) lock (gate) CloseLine();
    }

    /// <summary>A notebook finished (or failed).</summary>
    public void NotebookFinished(NotebookResult r) => Line(r.Succeeded
        ? $"  ok: {r.CellsRun} code cells in {Seconds(r.Seconds)}"
        : $"  FAILED at cell {r.FailedCell}: {(r.Error is { } e ? CellError.Summary(e) : "")}");

    /// <summary>The summary table: notebook, status, cells, wall time.</summary>
    public void Summary(IReadOnlyList<RunRecord> records)
    {
        lock (gate)
        {
            CloseLine();
            var table = new Spectre.Console.Table().AddColumns("notebook", "status", "cells", "wall time");
            table.Columns[2].RightAligned();
            table.Columns[3].RightAligned();
            foreach (var r in records)
            {
                var status = r.Status == RunRecord.Ok ? "[green]ok[/]" : $"[red]{Markup.Escape(r.Status)}[/]";
                table.AddRow(Markup.Escape(r.Notebook), status, $"{r.Cells}/{r.CodeCells}", Seconds(r.Seconds));
            }
            console.Write(table);
            terminal.Flush();
        }
    }

    void Overwrite(string text)
    {
        lock (gate)
        {
            int width = SafeWidth();
            if (text.Length > width - 1) text = text[..(width - 2)] + "…";
            terminal.Write("\r" + text.PadRight(width - 1));
            terminal.Flush();
            lineOpen = true;
        }
    }

    void CloseLine()
    {
        if (!lineOpen) return;
        terminal.WriteLine();
        lineOpen = false;
    }

    static int SafeWidth()
    {
        try { return Console.WindowWidth > 20 ? Console.WindowWidth : 100; }
        catch (IOException) { return 100; }
    }

    static string FirstLine(string source)
    {
        var line = source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#!", StringComparison.Ordinal)) ?? "";
        return line.Length > 50 ? line[..50] + "…" : line;
    }

    /// <summary>Seconds as the summary shows them: 0.8 s, 12.3 s, 4 min 05 s.</summary>
    public static string Seconds(double s) => s < 60
        ? s.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : $"{(int)(s / 60)} min {((int)s % 60):00} s";
}

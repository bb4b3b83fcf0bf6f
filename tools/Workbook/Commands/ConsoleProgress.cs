using Workbook.Training;

namespace Workbook.Cli.Commands;

/// <summary>
/// Training progress in a terminal: one bar redrawn in place when the output is a terminal, one plain
/// line per epoch when it is redirected (CI logs, files).
/// </summary>
public sealed class ConsoleProgress
{
    readonly bool interactive = !Console.IsOutputRedirected;
    string lastRun = "";

    /// <summary>Draws one report.</summary>
    public void Show(TrainingProgress p)
    {
        var e = p.Last;
        var metrics = e is null ? "" :
            $" loss {e.TrainLoss:0.####} acc {e.TrainAccuracy:P1}" +
            (e.ValidationAccuracy is { } v ? $" val {v:P1}" : "") + (e.TestAccuracy is { } t ? $" test {t:P1}" : "");
        bool betweenEpochs = p.Batches == 0;
        if (interactive)
        {
            int width = 30, filled = (int)Math.Round(p.Fraction * width);
            var line = $"\r  {p.Run,-24} [{new string('#', filled)}{new string('.', width - filled)}] epoch {p.Epoch}/{p.Epochs}{metrics} {p.ElapsedSeconds:F0}s {p.State}";
            Console.Write(line.PadRight(Math.Max(line.Length, Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 0)));
            if (p.State != "running") Console.WriteLine();
        }
        else if (betweenEpochs && (p.Epoch > 0 || p.State != "running"))
        {
            Console.WriteLine($"  {p.Run}: epoch {p.Epoch}/{p.Epochs}{metrics} ({p.ElapsedSeconds:F0}s) {p.State}");
        }
        else if (p.Run != lastRun && p.State == "running" && p.Epoch == 0 && betweenEpochs)
        {
            Console.WriteLine($"  {p.Run}: training {p.Epochs} epochs");
        }
        lastRun = p.Run;
    }
}

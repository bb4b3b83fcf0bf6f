using System.Globalization;
using System.Text;
using Workbook.Reporting;

namespace Workbook.Training;

/// <summary>
/// A live table of training runs for a notebook: display it once, then pass
/// <c>p => handle.Update(view.Report(p))</c> as the trainer's progress callback, so each epoch
/// replaces the one output instead of appending lines.
/// </summary>
public sealed class TrainingView(string? title = null) : RichOutput
{
    readonly List<TrainingProgress> runs = new();

    /// <summary>Caption above the table.</summary>
    public string? Title { get; } = title;

    /// <summary>Records a progress report and returns the view (to pass to a display handle's Update).</summary>
    public TrainingView Report(TrainingProgress p)
    {
        lock (runs)
        {
            int i = runs.FindIndex(r => r.Run == p.Run);
            if (i >= 0) runs[i] = p; else runs.Add(p);
        }
        return this;
    }

    static string Pct(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("P1", CultureInfo.InvariantCulture) : "";

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"wb-training\">");
        if (Title != null) sb.Append($"<div style=\"font-weight:600;margin:4px 0\">{E(Title)}</div>");
        sb.Append("<table style=\"border-collapse:collapse;font-size:13px\"><thead><tr>");
        foreach (var h in new[] { "run", "progress", "epoch", "train acc", "val acc", "test acc", "train loss", "time", "state" })
            sb.Append($"<th style=\"text-align:left;padding:2px 8px;border-bottom:1px solid #888\">{h}</th>");
        sb.Append("</tr></thead><tbody>");
        lock (runs)
        {
            foreach (var r in runs)
            {
                double frac = r.Fraction;
                var colour = r.State switch { RunState.Diverged => "#cf222e", RunState.Cached or RunState.Published => "#8250df", RunState.Running => "#0969da", _ => "#1a7f37" };
                var bar = $"<div style=\"width:120px;height:10px;background:#eee;border-radius:3px\"><div style=\"width:{frac * 120:F0}px;height:10px;background:{colour};border-radius:3px\"></div></div>";
                var e = r.Last;
                var cells = new[] { E(r.Run), bar, $"{r.Epoch}/{r.Epochs}", Pct(e?.TrainAccuracy), Pct(e?.ValidationAccuracy), Pct(e?.TestAccuracy),
                    e is null ? "" : e.TrainLoss.ToString("0.####", CultureInfo.InvariantCulture), $"{r.ElapsedSeconds:F0} s", $"<span style=\"color:{colour}\">{E(r.State.Words())}</span>" };
                sb.Append("<tr>").Append(string.Concat(cells.Select(c => $"<td style=\"padding:2px 8px\">{c}</td>"))).Append("</tr>");
            }
        }
        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToText()
    {
        var t = new Table("run", "epoch", "train acc", "val acc", "test acc", "time", "state") { Title = Title };
        lock (runs)
            foreach (var r in runs)
                t.Add(r.Run, $"{r.Epoch}/{r.Epochs}", Pct(r.Last?.TrainAccuracy), Pct(r.Last?.ValidationAccuracy), Pct(r.Last?.TestAccuracy), $"{r.ElapsedSeconds:F0} s", r.State);
        return t.ToText();
    }
}

using Plotly.NET;
using Workbook.Training;
using CS = Plotly.NET.CSharp;

namespace Workbook.Charts;

/// <summary>
/// The workbook's chart vocabulary on Plotly.NET: training curves, confusion heatmaps, scatter plots,
/// bars, histograms. Every function returns a Plotly.NET GenericChart, which Polyglot Notebooks
/// (Plotly.NET.Interactive) and the workbook runner both draw as an interactive chart.
/// </summary>
public static class Plots
{
    /// <summary>Wraps a value for Plotly.NET.CSharp's optional parameters (needed where the value is an interface type).</summary>
    static CS.Optional<T> Opt<T>(T value) => new(value, true);

    /// <summary>
    /// Sets the title, axis titles and height of a chart. The width is left to the page: the chart
    /// fills the column it is drawn in (the HTML report's, or the notebook's output) and follows it when
    /// the window is resized, so no figure is ever wider than the text around it.
    /// </summary>
    public static GenericChart Style(GenericChart chart, string? title = null, string? xTitle = null, string? yTitle = null, int height = 420)
    {
        if (title != null) chart = Chart.withTitle(title, null).Invoke(chart);
        if (xTitle != null) chart = CS.GenericChartExtensions.WithXAxisStyle<string, string, string>(chart, TitleText: xTitle);
        if (yTitle != null) chart = CS.GenericChartExtensions.WithYAxisStyle<string, string, string>(chart, TitleText: yTitle);
        return Responsive(chart, height);
    }

    /// <summary>Drops the fixed width Plotly.NET gives every chart (600 px) and makes the chart follow its container.</summary>
    static GenericChart Responsive(GenericChart chart, int height)
    {
        var layout = GenericChart.getLayout(chart);
        layout.RemoveProperty("width");
        layout.SetProperty("height", height);
        layout.SetProperty("autosize", true);
        GenericChart.getConfig(chart).SetProperty("responsive", true);
        return chart;
    }

    /// <summary>One line per run: a metric against the epoch. Diverged runs are named as such.</summary>
    public static GenericChart Curves(IEnumerable<TrainedRun> runs, Metric metric, string? title = null) =>
        Curves(runs.Select(r => (r.Diverged ? $"{r.Name} (diverged)" : r.Name, r.History)), metric, title);

    /// <summary>One line per named history: a metric against the epoch.</summary>
    public static GenericChart Curves(IEnumerable<(string Name, History History)> series, Metric metric, string? title = null)
    {
        var lines = series.Select(s => Line(s.History, metric, s.Name)).ToList();
        return Style(CS.Chart.Combine(lines), title ?? metric.Title, "epoch", metric.Title);
    }

    /// <summary>One line per named series of per-epoch values (epoch 1, 2, ...); NaN values are left out.</summary>
    public static GenericChart Lines(IEnumerable<(string Name, double[] Values)> series, string title, string yTitle, string xTitle = "epoch")
    {
        var lines = series.Select(s =>
        {
            var points = s.Values.Select((v, i) => (x: i + 1, y: v)).Where(p => double.IsFinite(p.y)).ToArray();
            return CS.Chart.Line<int, double, string>(x: points.Select(p => p.x), y: points.Select(p => p.y), Name: s.Name, ShowMarkers: points.Length <= 40);
        }).ToList();
        return Style(CS.Chart.Combine(lines), title, xTitle, yTitle);
    }

    static GenericChart Line(History history, Metric metric, string name, string? dash = null)
    {
        var y = history.Series(metric);
        var x = Enumerable.Range(1, y.Length).ToArray();
        // NaN (a metric not measured that epoch, or a diverged loss) is left out of the line.
        var points = x.Zip(y).Where(p => double.IsFinite(p.Second)).ToArray();
        return dash == null
            ? CS.Chart.Line<int, double, string>(x: points.Select(p => p.First), y: points.Select(p => p.Second), Name: name, ShowMarkers: points.Length <= 40)
            : CS.Chart.Line<int, double, string>(x: points.Select(p => p.First), y: points.Select(p => p.Second), Name: name, ShowMarkers: points.Length <= 40,
                LineDash: dash == "dash" ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Dot);
    }

    /// <summary>
    /// Loss and accuracy of one run, training (solid) against validation or test (dashed), side by side.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="against">"val" or "test": the prefix of the history metrics (val_loss, test_acc) compared with training.</param>
    /// <param name="title">The figure's title (default "NAME: training vs test").</param>
    public static GenericChart TrainVersus(TrainedRun run, string against = "test", string? title = null) =>
        TrainVersusRows([run], against, title ?? $"{run.Name}: training vs {AgainstName(against)}");

    /// <summary>
    /// Loss (left) and accuracy (right) of each run, one row per run, training (solid) against validation
    /// or test (dashed); every panel is titled with its run, and the two series keep one colour and one
    /// legend entry throughout.
    /// </summary>
    /// <param name="runs">The runs, one row each.</param>
    /// <param name="against">"val" or "test": the prefix of the history metrics (val_loss, test_acc) compared with training.</param>
    /// <param name="title">The figure's title.</param>
    public static GenericChart TrainVersusRows(IReadOnlyList<TrainedRun> runs, string against = "test", string? title = null)
    {
        if (runs.Count == 0) throw new ArgumentException("TrainVersus needs at least one run", nameof(runs));
        string other = AgainstName(against);
        var (loss, accuracy) = against == "val" ? (Metric.ValidationLoss, Metric.ValidationAccuracy) : (Metric.TestLoss, Metric.TestAccuracy);
        var panels = new List<GenericChart>();
        var titles = new List<string>();
        foreach (var run in runs)
        {
            foreach (var (trained, compared, quantity) in new[] { (Metric.TrainLoss, loss, "loss"), (Metric.TrainAccuracy, accuracy, "accuracy") })
            {
                var lines = CS.Chart.Combine([Line(run.History, trained, "training"), Line(run.History, compared, other, "dash")]);
                panels.Add(Style(lines, null, "epoch", quantity));
                titles.Add($"{run.Name}: {quantity}");
            }
        }
        return Grid(panels, runs.Count, 2, title ?? $"training vs {other}", titles, 120 + 320 * runs.Count);
    }

    static string AgainstName(string against) => against switch
    {
        "val" => "validation",
        "test" => "test",
        _ => throw new ArgumentException($"against is \"{against}\"; compare training with \"val\" (validation) or \"test\"", nameof(against)),
    };

    /// <summary>
    /// An annotated heatmap, e.g. a confusion matrix (rows: true class, top to bottom). Counts use a
    /// sequential scale; <see cref="HeatmapScale.Diverging"/> is for differences: white at 0, blue below,
    /// red above, equally far in both directions. Each cell's number is an annotation on the heatmap's own
    /// axes, so it stays on its panel when the heatmap goes into a <see cref="Grid"/>.
    /// </summary>
    public static GenericChart Heatmap(int[][] matrix, IReadOnlyList<string> columns, IReadOnlyList<string> rows, string title,
        string xTitle = "predicted", string yTitle = "true", HeatmapScale scale = HeatmapScale.Sequential, int height = 560)
    {
        if (matrix.Length != rows.Count || matrix.Any(r => r.Length != columns.Count))
            throw new ArgumentException($"the matrix must be {rows.Count} rows of {columns.Count} values (one per row and column name), not {matrix.Length} rows of {string.Join("/", matrix.Select(r => r.Length).Distinct())}", nameof(matrix));
        var trace = new Trace("heatmap");
        trace.SetProperty("z", matrix);
        trace.SetProperty("x", columns.ToArray());
        trace.SetProperty("y", rows.ToArray());
        trace.SetProperty("name", title);
        trace.SetProperty("hovertemplate", $"{yTitle} %{{y}}<br>{xTitle} %{{x}}<br>%{{z}}<extra></extra>");
        trace.SetProperty("colorbar", new Dictionary<string, object> { ["thickness"] = 12 });
        double low = matrix.SelectMany(r => r).DefaultIfEmpty(0).Min(), high = matrix.SelectMany(r => r).DefaultIfEmpty(0).Max();
        Func<int, bool> dark;
        if (scale == HeatmapScale.Diverging)
        {
            double reach = Math.Max(1, Math.Max(Math.Abs(low), Math.Abs(high)));
            trace.SetProperty("colorscale", DivergingScale);
            trace.SetProperty("zmid", 0);
            trace.SetProperty("zmin", -reach);
            trace.SetProperty("zmax", reach);
            dark = v => Math.Abs(v) / reach > 0.6;
        }
        else
        {
            trace.SetProperty("colorscale", "Viridis");
            // Viridis is dark at its low end: light text there, dark text on the yellow-green end.
            dark = v => high > low && (v - low) / (high - low) < 0.55;
        }
        var annotations = new List<Dictionary<string, object>>();
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < columns.Count; j++)
                annotations.Add(new()
                {
                    ["x"] = columns[j], ["y"] = rows[i], ["xref"] = "x", ["yref"] = "y", ["text"] = matrix[i][j].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["showarrow"] = false, ["font"] = new Dictionary<string, object> { ["size"] = 11, ["color"] = dark(matrix[i][j]) ? "#ffffff" : "#1f2328" },
                });
        var chart = GenericChart.ofTraceObject(true, trace);
        var layout = GenericChart.getLayout(chart);
        layout.SetProperty("annotations", annotations);
        chart = Style(chart, title, xTitle, yTitle, height);
        // Rows top to bottom as the matrix is written.
        var yAxis = GenericChart.getLayout(chart).TryGetTypedPropertyValue<Plotly.NET.LayoutObjects.LinearAxis>("yaxis");
        if (yAxis == null) throw new InvalidOperationException("Plotly.NET set no y axis on the heatmap");
        yAxis.Value.SetProperty("autorange", "reversed");
        return chart;
    }

    /// <summary>Blue below zero, white at zero, red above (ColorBrewer's RdBu, five steps).</summary>
    static readonly object[][] DivergingScale =
        [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]];

    /// <summary>Confusion matrices side by side, sharing class names, each titled and with its own colour bar.</summary>
    public static GenericChart Confusions(IReadOnlyList<(string Title, int[][] Matrix)> matrices, IReadOnlyList<string> classNames, string title, int height = 560)
    {
        var panels = matrices.Select(m => Heatmap(m.Matrix, classNames, classNames, m.Title)).ToList();
        return Grid(panels, 1, panels.Count, title, matrices.Select(m => m.Title).ToList(), height);
    }

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    public static GenericChart Bars(IReadOnlyList<string> categories, IEnumerable<(string Name, double[] Values)> series, string title, string? yTitle = null)
    {
        var bars = series.Select(s => CS.Chart.Column<double, string, string>(values: s.Values, Keys: Opt<IEnumerable<string>>(categories), Name: s.Name)).ToList();
        return Style(CS.Chart.Combine(bars), title, null, yTitle);
    }

    /// <summary>A line through (x, y) points, e.g. a k-distance curve or accuracy against a hyperparameter.</summary>
    public static GenericChart XY(IEnumerable<double> x, IEnumerable<double> y, string name, string title, string xTitle, string yTitle, bool logX = false)
    {
        var chart = CS.Chart.Line<double, double, string>(x: x, y: y, Name: name, ShowMarkers: true);
        chart = Style(chart, title, xTitle, yTitle);
        return logX ? CS.GenericChartExtensions.WithXAxisStyle<string, string, string>(chart, AxisType: StyleParam.AxisType.Log) : chart;
    }

    /// <summary>A 2-D scatter plot with one trace (colour) per group, e.g. t-SNE points by class or cluster.</summary>
    public static GenericChart Scatter(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<int> group, Func<int, string> groupName, string title, int height = 620)
    {
        var traces = group.Select((g, i) => (g, i)).GroupBy(p => p.g).OrderBy(gr => gr.Key).Select(gr =>
        {
            var marker = new Plotly.NET.TraceObjects.Marker();
            marker.SetProperty("size", 4);
            return CS.Chart.Point<double, double, string>(x: gr.Select(p => x[p.i]).ToArray(), y: gr.Select(p => y[p.i]).ToArray(), Name: groupName(gr.Key),
                Marker: marker, UseWebGL: true);
        }).ToList();
        return Style(CS.Chart.Combine(traces), title, null, null, height);
    }

    /// <summary>Overlaid histograms (probability density), e.g. weight distributions.</summary>
    public static GenericChart Histograms(IEnumerable<(string Name, double[] Values)> series, string title, string xTitle, int bins = 80)
    {
        var hists = series.Select(s => CS.Chart.Histogram<double, double, string>(X: s.Values, Name: s.Name, Opacity: 0.6, NBinsX: bins,
            HistNorm: StyleParam.HistNorm.ProbabilityDensity)).ToList();
        var chart = CS.Chart.Combine(hists);
        var layout = new Layout();
        layout.SetProperty("barmode", "overlay");
        chart = Chart.withLayout(layout).Invoke(chart);
        return Style(chart, title, xTitle, "density");
    }

    /// <summary>
    /// Several charts in one figure, <paramref name="rows"/> x <paramref name="columns"/>, filled row by
    /// row. Each chart becomes a panel with axes of its own; its annotations move onto those axes and a
    /// heatmap's colour bar stands beside its own panel. A series (traces of one name) gets one colour and
    /// one legend entry for the whole figure, clicking it hides it in every panel. Every panel has a title:
    /// <paramref name="subtitles"/>, else the chart's own title. The figure fills the width of the page.
    /// </summary>
    public static GenericChart Grid(IReadOnlyList<GenericChart> charts, int rows, int columns, string? title = null,
        IReadOnlyList<string>? subtitles = null, int height = 420) =>
        PanelGrid.Build(charts, rows, columns, title, subtitles, height);
}

/// <summary>The colour scale of a <see cref="Plots.Heatmap"/>.</summary>
public enum HeatmapScale
{
    /// <summary>Counts: Viridis, dark (low) to yellow (high).</summary>
    Sequential,
    /// <summary>Differences: blue below 0, white at 0, red above, symmetric about 0.</summary>
    Diverging,
}

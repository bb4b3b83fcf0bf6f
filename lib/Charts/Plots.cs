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
    static readonly Dictionary<string, string> metricTitles = new()
    {
        ["train_loss"] = "training loss", ["train_acc"] = "training accuracy",
        ["val_loss"] = "validation loss", ["val_acc"] = "validation accuracy",
        ["test_loss"] = "test loss", ["test_acc"] = "test accuracy", ["lr"] = "learning rate", ["seconds"] = "seconds",
    };

    /// <summary>Wraps a value for Plotly.NET.CSharp's optional parameters (needed where the value is an interface type).</summary>
    static CS.Optional<T> Opt<T>(T value) => new(value, true);

    /// <summary>Readable name of a history metric.</summary>
    public static string MetricTitle(string metric) => metricTitles.GetValueOrDefault(metric, metric);

    /// <summary>Sets the title, axis titles and size of a chart.</summary>
    public static GenericChart Style(GenericChart chart, string? title = null, string? xTitle = null, string? yTitle = null, int width = 760, int height = 420)
    {
        if (title != null) chart = Chart.withTitle(title, null).Invoke(chart);
        if (xTitle != null) chart = CS.GenericChartExtensions.WithXAxisStyle<string, string, string>(chart, TitleText: xTitle);
        if (yTitle != null) chart = CS.GenericChartExtensions.WithYAxisStyle<string, string, string>(chart, TitleText: yTitle);
        return CS.GenericChartExtensions.WithSize(chart, width, height);
    }

    /// <summary>One line per run: a metric against the epoch. Diverged runs are named as such.</summary>
    public static GenericChart Curves(IEnumerable<TrainedRun> runs, string metric, string? title = null) =>
        Curves(runs.Select(r => (r.Diverged ? $"{r.Name} (diverged)" : r.Name, r.History)), metric, title);

    /// <summary>One line per named history: a metric against the epoch.</summary>
    public static GenericChart Curves(IEnumerable<(string Name, History History)> series, string metric, string? title = null)
    {
        var lines = series.Select(s => Line(s.History, metric, s.Name)).ToList();
        return Style(CS.Chart.Combine(lines), title ?? MetricTitle(metric), "epoch", MetricTitle(metric));
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

    static GenericChart Line(History history, string metric, string name, string? dash = null)
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
    /// <paramref name="against"/> is "val" or "test".
    /// </summary>
    public static GenericChart TrainVersus(TrainedRun run, string against = "test", string? title = null)
    {
        string other = against == "val" ? "validation" : "test";
        var loss = CS.Chart.Combine([Line(run.History, "train_loss", "train loss"), Line(run.History, $"{against}_loss", $"{other} loss", "dash")]);
        var acc = CS.Chart.Combine([Line(run.History, "train_acc", "train accuracy"), Line(run.History, $"{against}_acc", $"{other} accuracy", "dash")]);
        var grid = CS.Chart.Grid([loss, acc], 1, 2);
        return Style(grid, title ?? $"{run.Name}: training vs {other}", "epoch", null, 980, 400);
    }

    /// <summary>An annotated heatmap, e.g. a confusion matrix (rows: true class, top to bottom).</summary>
    public static GenericChart Heatmap(int[][] matrix, IReadOnlyList<string> columns, IReadOnlyList<string> rows, string title,
        string xTitle = "predicted", string yTitle = "true", int size = 560)
    {
        var text = matrix.Select(r => r.Select(v => v.ToString())).ToArray();
        var chart = CS.Chart.AnnotatedHeatmap<int, string, string, string>(zData: matrix, annotationText: text, X: Opt<IEnumerable<string>>(columns), Y: Opt<IEnumerable<string>>(rows),
            ColorScale: StyleParam.Colorscale.Viridis, ReverseYAxis: true, ShowScale: false);
        return Style(chart, title, xTitle, yTitle, size + 120, size);
    }

    /// <summary>Confusion matrices side by side, sharing class names.</summary>
    public static GenericChart Confusions(IReadOnlyList<(string Title, int[][] Matrix)> matrices, IReadOnlyList<string> classNames, string title)
    {
        var charts = matrices.Select(m =>
        {
            var text = m.Matrix.Select(r => r.Select(v => v.ToString())).ToArray();
            return CS.Chart.AnnotatedHeatmap<int, string, string, string>(zData: m.Matrix, annotationText: text, X: Opt<IEnumerable<string>>(classNames), Y: Opt<IEnumerable<string>>(classNames),
                ColorScale: StyleParam.Colorscale.Viridis, ReverseYAxis: true, ShowScale: false, Name: m.Title);
        }).ToList();
        var grid = CS.Chart.Grid(charts, 1, charts.Count, SubPlotTitles: matrices.Select(m => m.Title).ToArray());
        return Style(grid, title, null, null, 560 * charts.Count, 600);
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
    public static GenericChart Scatter(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<int> group, Func<int, string> groupName, string title, int size = 620)
    {
        var traces = group.Select((g, i) => (g, i)).GroupBy(p => p.g).OrderBy(gr => gr.Key).Select(gr =>
        {
            var marker = new Plotly.NET.TraceObjects.Marker();
            marker.SetProperty("size", 4);
            return CS.Chart.Point<double, double, string>(x: gr.Select(p => x[p.i]).ToArray(), y: gr.Select(p => y[p.i]).ToArray(), Name: groupName(gr.Key),
                Marker: marker, UseWebGL: true);
        }).ToList();
        return Style(CS.Chart.Combine(traces), title, null, null, size + 140, size);
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

    /// <summary>Several charts in a grid (rows x columns).</summary>
    public static GenericChart Grid(IReadOnlyList<GenericChart> charts, int rows, int columns, string? title = null, IReadOnlyList<string>? subtitles = null, int width = 980, int height = 420)
    {
        var grid = subtitles == null ? CS.Chart.Grid(charts, rows, columns) : CS.Chart.Grid(charts, rows, columns, SubPlotTitles: subtitles.ToArray());
        return Style(grid, title, null, null, width, height);
    }
}

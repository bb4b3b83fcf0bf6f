using System.Globalization;
using Newtonsoft.Json.Linq;
using Plotly.NET;

namespace Workbook.Charts;

/// <summary>
/// Builds one figure of several panels from single-panel charts (<see cref="Plots.Grid"/>). Plotly.NET's
/// own Chart.Grid moves each chart's traces onto new axes but leaves its annotations on the first
/// panel's axes, leaves each heatmap's colour bar at the figure's right edge, and lets each panel pick
/// colours by trace position; this lays the panels out itself from each chart's figure JSON.
/// </summary>
static class PanelGrid
{
    /// <summary>plotly.js's default colour sequence, assigned to series in order of first appearance.</summary>
    static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    // Rough pixel sizes the gaps between panels must hold (the figure's width is the page's, its height is known).
    const double TitleAbovePx = 30, LabelsBelowPx = 62, MarginsPx = 180;

    public static GenericChart Build(IReadOnlyList<GenericChart> charts, int rows, int columns, string? title, IReadOnlyList<string>? subtitles, int height)
    {
        if (rows < 1 || columns < 1) throw new ArgumentException($"a grid needs at least one row and one column, not {rows} x {columns}");
        if (charts.Count == 0) throw new ArgumentException("a grid needs at least one chart", nameof(charts));
        if (charts.Count > rows * columns) throw new ArgumentException($"{charts.Count} charts do not fit a {rows} x {columns} grid", nameof(charts));
        if (subtitles != null && subtitles.Count != charts.Count)
            throw new ArgumentException($"{subtitles.Count} subtitles for {charts.Count} charts: give one per chart, or none to use the charts' own titles", nameof(subtitles));

        var figures = charts.Select(c => JObject.Parse(GenericChart.toFigureJson(c))).ToList();
        bool colourBars = figures.Any(f => f["data"]!.Any(t => (string?)t["type"] == "heatmap" && (bool?)t["showscale"] != false));
        // Between columns: the next panel's tick labels and axis title, and a colour bar where there is one.
        double xGap = columns == 1 ? 0 : colourBars ? 0.2 : 0.1;
        // Between rows: the upper panel's tick labels and axis title, then the lower panel's title.
        double yGap = rows == 1 ? 0 : Math.Min(0.4, (TitleAbovePx + LabelsBelowPx) / Math.Max(100, height - MarginsPx));
        double w = (1 - xGap * (columns - 1)) / columns, h = (1 - yGap * (rows - 1)) / rows;

        var traces = new List<Trace>();
        var axes = new List<(string Name, JObject Axis)>();
        var annotations = new JArray();
        var colours = new Dictionary<string, string>();
        var inLegend = new HashSet<string>();
        string? barMode = null;
        for (int i = 0; i < figures.Count; i++)
        {
            int row = i / columns, column = i % columns;
            double x0 = column * (w + xGap), x1 = x0 + w, y1 = 1 - row * (h + yGap), y0 = y1 - h;
            string suffix = i == 0 ? "" : (i + 1).ToString(CultureInfo.InvariantCulture);
            var layout = (JObject)figures[i]["layout"]!;
            var data = (JArray)figures[i]["data"]!;
            if (layout.Properties().Any(p => p.Name is not ("xaxis" or "yaxis") && (p.Name.StartsWith("xaxis", StringComparison.Ordinal) || p.Name.StartsWith("yaxis", StringComparison.Ordinal)))
                || data.Any(t => (string?)t["xaxis"] is not (null or "x") || (string?)t["yaxis"] is not (null or "y")))
                throw new ArgumentException($"chart {i + 1} already has several panels; pass its panels to Grid one by one", nameof(charts));
            barMode ??= (string?)layout["barmode"];

            var panelTitle = subtitles?[i] ?? (string?)layout["title"]?["text"];
            if (string.IsNullOrWhiteSpace(panelTitle))
                throw new ArgumentException($"chart {i + 1} has no title: give it one, or pass subtitles, so a reader knows which panel is which", nameof(charts));

            var xAxis = (JObject?)layout["xaxis"]?.DeepClone() ?? new JObject();
            xAxis["domain"] = new JArray(x0, x1);
            xAxis["anchor"] = "y" + suffix;
            var yAxis = (JObject?)layout["yaxis"]?.DeepClone() ?? new JObject();
            yAxis["domain"] = new JArray(y0, y1);
            yAxis["anchor"] = "x" + suffix;
            axes.Add(("xaxis" + suffix, xAxis));
            axes.Add(("yaxis" + suffix, yAxis));

            foreach (var source in data.Cast<JObject>())
            {
                var trace = (JObject)source.DeepClone();
                trace["xaxis"] = "x" + suffix;
                trace["yaxis"] = "y" + suffix;
                var type = (string?)trace["type"] ?? "scatter";
                if (type == "heatmap")
                {
                    // The colour bar stands just right of its own panel, as tall as the panel.
                    var bar = trace["colorbar"] as JObject ?? new JObject();
                    bar["x"] = x1 + 0.01; bar["xanchor"] = "left";
                    bar["y"] = (y0 + y1) / 2; bar["yanchor"] = "middle";
                    bar["len"] = h; bar["lenmode"] = "fraction";
                    trace["colorbar"] = bar;
                    trace["showlegend"] = false;
                }
                else if ((string?)trace["name"] is { } name)
                {
                    if (!colours.TryGetValue(name, out var colour)) colours[name] = colour = Palette[colours.Count % Palette.Length];
                    trace["legendgroup"] = name;
                    if ((bool?)trace["showlegend"] != false) trace["showlegend"] = inLegend.Add(name);
                    SetColour(trace, "marker", colour);
                    if (type is "scatter" or "scattergl") SetColour(trace, "line", colour);
                }
                traces.Add(ToTrace(trace));
            }

            foreach (var source in (layout["annotations"] as JArray ?? []).Cast<JObject>())
            {
                var a = (JObject)source.DeepClone();
                // An annotation on the chart's axes goes onto this panel's axes; one placed on the chart's
                // paper goes to the same place within this panel.
                if ((string?)a["xref"] is null or "x") a["xref"] = "x" + suffix;
                else if ((string?)a["xref"] == "paper" && a["x"]?.Type is JTokenType.Float or JTokenType.Integer) a["x"] = x0 + (double)a["x"]! * w;
                if ((string?)a["yref"] is null or "y") a["yref"] = "y" + suffix;
                else if ((string?)a["yref"] == "paper" && a["y"]?.Type is JTokenType.Float or JTokenType.Integer) a["y"] = y0 + (double)a["y"]! * h;
                annotations.Add(a);
            }
            annotations.Add(new JObject
            {
                ["text"] = $"<b>{System.Net.WebUtility.HtmlEncode(panelTitle)}</b>", ["showarrow"] = false,
                ["xref"] = "paper", ["yref"] = "paper", ["x"] = (x0 + x1) / 2, ["y"] = y1,
                ["xanchor"] = "center", ["yanchor"] = "bottom", ["yshift"] = 4, ["font"] = new JObject { ["size"] = 13 },
            });
        }

        var chart = GenericChart.ofTraceObjects(true, traces);
        var figureLayout = GenericChart.getLayout(chart);
        foreach (var (name, axis) in axes) figureLayout.SetProperty(name, axis);
        figureLayout.SetProperty("annotations", annotations);
        if (barMode != null) figureLayout.SetProperty("barmode", barMode);
        figureLayout.SetProperty("showlegend", inLegend.Count > 0);
        // One legend under the panels, its entries side by side, wrapping as the page narrows.
        figureLayout.SetProperty("legend", new JObject
        {
            ["orientation"] = "h", ["x"] = 0, ["xanchor"] = "left",
            ["y"] = -LabelsBelowPx / Math.Max(100, height - MarginsPx), ["yanchor"] = "top",
        });
        if (title != null) figureLayout.SetProperty("title", new JObject { ["text"] = title });
        figureLayout.RemoveProperty("width");
        figureLayout.SetProperty("height", height);
        figureLayout.SetProperty("autosize", true);
        GenericChart.getConfig(chart).SetProperty("responsive", true);
        return chart;
    }

    static void SetColour(JObject trace, string part, string colour)
    {
        var obj = trace[part] as JObject ?? new JObject();
        obj["color"] = colour;
        trace[part] = obj;
    }

    /// <summary>A Plotly.NET trace carrying the JSON properties as they are.</summary>
    static Trace ToTrace(JObject json)
    {
        var trace = new Trace((string?)json["type"] ?? "scatter");
        foreach (var p in json.Properties())
            if (p.Name != "type") trace.SetProperty(p.Name, p.Value);
        return trace;
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace Workbook.Cli.Runner.Formatting;

/// <summary>
/// Renders Plotly.NET charts, standing in for Polyglot's Plotly.NET.Interactive. A chart becomes:
/// <list type="bullet">
/// <item><c>application/vnd.plotly.v1+json</c>: the figure (data, layout, config), Jupyter's plotly
/// MIME type, which the HTML report draws with its one embedded copy of plotly.js;</item>
/// <item><c>text/html</c>: a div and a script that draws the figure, loading plotly.js itself when the
/// page lacks it (for VS Code and Jupyter when they open the executed .ipynb);</item>
/// <item><c>text/plain</c>: a one-line description.</item>
/// </list>
/// </summary>
public static class PlotlyFormatter
{
    /// <summary>Jupyter's MIME type for a plotly figure.</summary>
    public const string MimeType = "application/vnd.plotly.v1+json";

    static readonly Lazy<(string Version, string Script)> plotlyJs = new(LoadPlotlyJs);

    /// <summary>The plotly.js version that Plotly.NET embeds (and the runner's reports use).</summary>
    public static string PlotlyJsVersion => plotlyJs.Value.Version;

    /// <summary>plotly.js itself, minified, from Plotly.NET's embedded resource: no download needed.</summary>
    public static string PlotlyJs => plotlyJs.Value.Script;

    /// <summary>Adds the chart's renderings to the bundle; false when the value is not a chart.</summary>
    public static bool TryFormat(object value, MimeBundle bundle)
    {
        if (value is not GenericChart chart) return false;
        var figure = FigureJson(chart);
        var traces = figure["data"] is JsonArray data ? data.Count : 0;
        bundle.Set(MimeType, figure.ToJsonString());
        bundle.Set("text/html", SelfLoadingHtml(figure));
        bundle.Set("text/plain", $"Plotly chart ({traces} trace{(traces == 1 ? "" : "s")})");
        return true;
    }

    /// <summary>The figure as Plotly expects it: data, layout (and frames) from Plotly.NET, plus the chart's config.</summary>
    public static JsonObject FigureJson(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        var config = Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart));
        figure["config"] = JsonNode.Parse(config);
        return figure;
    }

    /// <summary>
    /// HTML that draws the figure where plotly.js is already on the page, and otherwise loads it from
    /// the plotly CDN first (through require.js where the page has it, as Jupyter front ends do).
    /// </summary>
    static string SelfLoadingHtml(JsonObject figure)
    {
        var id = "plotly-" + Guid.NewGuid().ToString("N");
        var json = ScriptSafe(figure.ToJsonString());
        var cdn = $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min";
        return $$"""
            <div id="{{id}}"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{json}};
              function draw(P) { P.newPlot('{{id}}', figure.data, figure.layout, figure.config); }
              if (window.Plotly) { draw(window.Plotly); return; }
              if (typeof window.requirejs === 'function' && typeof window.requirejs.config === 'function') {
                window.requirejs.config({ paths: { plotly: '{{cdn}}' } });
                window.requirejs(['plotly'], draw);
                return;
              }
              var s = document.createElement('script');
              s.src = '{{cdn}}.js';
              s.onload = function () { draw(window.Plotly); };
              document.head.appendChild(s);
            })();
            </script>
            """;
    }

    /// <summary>JSON made safe to put inside a script element (no "&lt;/script&gt;" or "&lt;!--" in it).</summary>
    public static string ScriptSafe(string json) => json.Replace("<", "\\u003c").Replace(">", "\\u003e").Replace("&", "\\u0026");

    static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
                       .FirstOrDefault(n => Regex.IsMatch(n, @"plotly-[\d.]+\.min\.js$"))
                   ?? throw new InvalidOperationException("Plotly.NET no longer embeds plotly.js; the report cannot draw charts offline");
        var version = Regex.Match(name, @"plotly-(?<v>[\d.]+)\.min\.js$").Groups["v"].Value;
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (version, reader.ReadToEnd());
    }
}

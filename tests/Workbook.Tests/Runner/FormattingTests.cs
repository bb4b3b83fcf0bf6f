using Workbook.Runtime;
using Workbook.Cli.Runner;
using Workbook.Cli.Runner.Formatting;
using Workbook.Cli.Runner.Html;
using Workbook.Reporting;
using Xunit;

namespace Workbook.Tests.Runner
{
    /// <summary>Values into MIME bundles, and the small pieces of the reports.</summary>
    public sealed class FormattingTests
    {
        [Fact]
        public void The_formatter_convention_is_found_by_attribute_name_for_any_library()
        {
            // ThirdParty's attribute is not the library's: only its name is the same.
            var bundle = OutputFormatter.Format(new ThirdParty.Gauge(0.75));
            Assert.Equal("<meter value=\"0.75\"></meter>", bundle.Get("text/html"));
            Assert.Equal("gauge at 75%", bundle.Get("text/plain"));
            Assert.False(bundle.Has("text/x-never")); // a formatter that declines is skipped
            Assert.Equal("text/html", bundle.Items[0].Key); // the preferred MIME type comes first
        }

        [Fact]
        public void Library_values_use_their_formatters_and_pictures_add_png()
        {
            var table = new Table("a", "b").Add(1, "x");
            var bundle = OutputFormatter.Format(table);
            Assert.Equal(table.ToHtml(), bundle.Get("text/html"));
            Assert.Equal(table.ToText(), bundle.Get("text/plain"));
            Assert.False(bundle.Has("image/png"));

            var grid = OutputFormatter.Format(new ImageGrid().Add(new float[4], "dark"));
            Assert.StartsWith("iVBORw0KGgo", grid.Get("image/png")); // base64 of the PNG signature
            Assert.False(OutputFormatter.Format(new ImageGrid()).Has("image/png")); // ToPng() null: no picture
        }

        [Fact]
        public void Display_with_mime_types_keeps_those_and_text_plain()
        {
            var bundle = OutputFormatter.Format(new Table("a").Add(1), ["text/plain"]);
            Assert.Equal(["text/plain"], bundle.Items.Select(i => i.Key));
            var html = OutputFormatter.Format(42, ["text/html"]);
            Assert.Equal("<pre>42</pre>", html.Get("text/html"));
            Assert.Equal("42", html.Get("text/plain"));
        }

        [Fact]
        public void Plain_values_render_as_text()
        {
            Assert.Equal("<null>", OutputFormatter.Format(null).Get("text/plain"));
            Assert.Equal("[1, 2, 3]", OutputFormatter.Format(new List<int> { 1, 2, 3 }).Get("text/plain"));
            Assert.Equal("0.5", OutputFormatter.Format(0.5).Get("text/plain"));
            Assert.Equal(["text/plain"], OutputFormatter.Format("text").Items.Select(i => i.Key));
        }

        [Fact]
        public void Code_is_escaped_whatever_it_holds()
        {
            var html = CodeHighlighter.Highlight("var s = \"</script><b>\"; // <i>\n#r \"x\"");
            Assert.DoesNotContain("<b>", html);
            Assert.DoesNotContain("</script>", html);
            Assert.Contains("<span class=\"tok-k\">var</span>", html);
            Assert.Contains("<span class=\"tok-c\">// &lt;i&gt;</span>", html);
            Assert.Contains("<span class=\"tok-d\">#r &quot;x&quot;</span>", html);
        }

        [Fact]
        public void Chart_json_in_a_script_element_cannot_close_it() =>
            Assert.Equal("{\"t\":\"\\u003c/script\\u003e\"}", PlotlyFormatter.ScriptSafe("{\"t\":\"</script>\"}"));

        [Fact]
        public void Atomic_writes_replace_the_file_and_leave_no_temporary()
        {
            var folder = Directory.CreateTempSubdirectory("atomic").FullName;
            try
            {
                var path = Path.Combine(folder, "report.html");
                AtomicFile.WriteAllText(path, "first");
                AtomicFile.WriteAllText(path, "second");
                Assert.Equal("second", File.ReadAllText(path));
                Assert.Equal([path], Directory.GetFiles(folder));
            }
            finally { Directory.Delete(folder, true); }
        }

        [Fact]
        public void Progress_redraws_one_line_on_a_terminal_and_writes_plain_lines_otherwise()
        {
            var report = new Workbook.Training.TrainingProgress("mlp", 1, 4, null, Workbook.Training.RunState.Running, 2.5);
            var terminal = new StringWriter();
            new ConsoleReporter(terminal, interactive: true).TrainingProgress(report);
            Assert.StartsWith("\r    mlp [######..................] 1/4 running", terminal.ToString());
            Assert.DoesNotContain("\n", terminal.ToString());

            var log = new StringWriter();
            new ConsoleReporter(log, interactive: false).TrainingProgress(report);
            Assert.Equal("    mlp: epoch 1/4 running  2.5s" + Environment.NewLine, log.ToString());
        }
    }
}

namespace ThirdParty
{
    /// <summary>Same name as .NET Interactive's attribute, defined elsewhere: the convention is by name.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
    {
        public Type FormatterSourceType { get; } = formatterSourceType;
        public string[] PreferredMimeTypes { get; set; } = [];
    }

    [TypeFormatterSource(typeof(GaugeFormatters), PreferredMimeTypes = ["text/html"])]
    public sealed class Gauge(double value)
    {
        public double Value { get; } = value;
    }

    sealed class GaugeFormatters
    {
        public IEnumerable<object> CreateTypeFormatters()
        {
            yield return new Formatter("text/plain", (g, w) => { w.Write($"gauge at {g.Value * 100}%"); return true; });
            yield return new Formatter("text/x-never", (_, _) => false);
            yield return new Formatter("text/html", (g, w) => { w.Write($"<meter value=\"{g.Value}\"></meter>"); return true; });
        }
    }

    sealed class Formatter(string mimeType, Func<Gauge, TextWriter, bool> write)
    {
        public string MimeType { get; } = mimeType;
        public bool Format(object instance, TextWriter writer) => instance is Gauge g && write(g, writer);
    }
}

using Workbook.Cli.Runner;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary>Magic commands and #r / #i directives, taken out of cells without moving any line.</summary>
public sealed class CellPreprocessorTests
{
    [Fact]
    public void Directives_are_parsed_and_blanked_keeping_every_line()
    {
        var source = "#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"nuget:Markdig\"\n  #r \"../bin/lib/Lib.dll\" // the library\n#i \"nuget: https://example.org/feed\"\nvar x = 1;";
        var cell = CellPreprocessor.Prepare(source, "csharp");

        Assert.Equal("\n\n\n\nvar x = 1;", cell.Code);
        Assert.Equal(source.Split('\n').Length, cell.Code.Split('\n').Length);
        Assert.Collection(cell.Directives,
            d => Assert.Equal(new NuGetDirective(1, "TorchSharp-cpu", "0.107.0"), d),
            d => Assert.Equal(new NuGetDirective(2, "Markdig", null), d),
            d => Assert.Equal(new AssemblyDirective(3, "../bin/lib/Lib.dll"), d),
            d => Assert.Equal(new SourceDirective(4, "nuget: https://example.org/feed"), d));
    }

    [Fact]
    public void Header_magics_choose_the_kernel_and_timing()
    {
        var timed = CellPreprocessor.Prepare("#!time\n#!csharp\nvar y = 2;", "markdown");
        Assert.Equal(("csharp", true), (timed.Kernel, timed.Timed));
        Assert.Equal("\n\nvar y = 2;", timed.Code);

        var markdown = CellPreprocessor.Prepare("#!markdown\n# Title\n#r \"not a directive in markdown\"", "csharp");
        Assert.Equal("markdown", markdown.Kernel);
        Assert.Empty(markdown.Directives);
        Assert.Contains("#r \"not a directive in markdown\"", markdown.Code);
    }

    [Fact]
    public void Preprocessor_lines_of_csharp_are_left_alone()
    {
        var cell = CellPreprocessor.Prepare("#region setup\nvar r = 1;\n#endregion", "csharp");
        Assert.Empty(cell.Directives);
        Assert.Equal("#region setup\nvar r = 1;\n#endregion", cell.Code);
    }

    [Theory]
    [InlineData("var a = 1;\n#!time", "must come before any code")]
    [InlineData("#!fsharp\nlet x = 1", "'#!fsharp' is not supported")]
    [InlineData("#r nuget: Markdig", "cannot read the directive")]
    [InlineData("#r \"nuget: Markdig, 1.6.0, extra\"", "cannot read the package reference")]
    public void Unsupported_or_malformed_lines_are_clear_errors(string source, string message)
    {
        var e = Assert.Throws<NotebookDirectiveException>(() => CellPreprocessor.Prepare(source, "csharp"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_cell_of_another_kernel_is_refused()
    {
        var e = Assert.Throws<NotebookDirectiveException>(() => CellPreprocessor.Prepare("Get-ChildItem", "pwsh"));
        Assert.Contains("kernel 'pwsh' is not supported", e.Message);
    }

    [Theory]
    [InlineData("\n\n// only a comment\n", false)]
    [InlineData("\n\n", false)]
    [InlineData("// note\n1 + 1", true)]
    public void HasCode_ignores_blank_and_comment_lines(string code, bool expected) =>
        Assert.Equal(expected, CellPreprocessor.HasCode(code));
}

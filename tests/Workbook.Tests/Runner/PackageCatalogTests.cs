using Workbook.Cli.Runner;
using Xunit;

namespace Workbook.Tests.Runner;

/// <summary><c>#r "nuget: ..."</c> resolved against the packages the runner was built with (its workbook.deps.json).</summary>
public sealed class PackageCatalogTests
{
    static readonly PackageCatalog catalog = PackageCatalog.ForRunner();

    static PackageResolution Resolve(string package, string? version) => catalog.Resolve(new NuGetDirective(1, package, version));

    [Fact]
    public void The_catalog_is_the_runners_own_deps_file()
    {
        Assert.Equal("workbook.deps.json", Path.GetFileName(catalog.Source));
        Assert.Equal("0.107.0", catalog.VersionOf("TorchSharp"));
        Assert.Equal("6.0.0", catalog.VersionOf("plotly.net")); // package ids are case-insensitive
    }

    [Fact]
    public void A_package_brings_its_assembly_and_those_of_its_dependencies()
    {
        var plotly = Resolve("Plotly.NET", "6.0.0");
        Assert.Contains("Plotly.NET", plotly.AssemblyNames);
        Assert.Contains("FSharp.Core", plotly.AssemblyNames);
        Assert.Contains("DynamicObj", plotly.AssemblyNames);
        Assert.Null(plotly.Note);
        Assert.Contains("Markdig", Resolve("markdig", null).AssemblyNames);
    }

    [Theory]
    [InlineData("TorchSharp-cpu")]
    [InlineData("TorchSharp-cuda-linux")]
    [InlineData("TorchSharp-cuda-windows")]
    public void TorchSharp_backend_packages_are_the_runners_TorchSharp(string package)
    {
        var r = Resolve(package, "0.107.0");
        Assert.Contains("TorchSharp", r.AssemblyNames);
        Assert.Contains("runner's TorchSharp 0.107.0", r.Note);
        var e = Assert.Throws<NotebookDirectiveException>(() => Resolve(package, "0.105.0"));
        Assert.Contains($"'{package}' version 0.105.0 was asked for, but the workbook has TorchSharp 0.107.0", e.Message);
    }

    [Fact]
    public void Plotly_NET_Interactive_is_replaced_by_the_runners_formatter_at_the_same_version()
    {
        var r = Resolve("Plotly.NET.Interactive", "6.0.0");
        Assert.Empty(r.AssemblyNames);
        Assert.Contains("Polyglot's chart formatter", r.Note);
        var e = Assert.Throws<NotebookDirectiveException>(() => Resolve("Plotly.NET.Interactive", "5.0.0"));
        Assert.Contains("Plotly.NET 6.0.0", e.Message);
    }

    [Fact]
    public void An_unknown_package_or_version_is_a_clear_error()
    {
        var unknown = Assert.Throws<NotebookDirectiveException>(() => Resolve("Contoso.Widgets", "2.0.0"));
        Assert.Contains("'Contoso.Widgets' 2.0.0 is not one the workbook references", unknown.Message);
        Assert.Contains("<PackageVersion Include=\"Contoso.Widgets\" Version=\"2.0.0\" />", unknown.Message);

        var version = Assert.Throws<NotebookDirectiveException>(() => Resolve("Markdig", "0.30.0"));
        Assert.Contains("Change the line to #r \"nuget: Markdig, 1.6.0\"", version.Message);
    }
}

using System.Diagnostics;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// WORKBOOK_LIBTORCH (lib/Runtime/ExternalLibTorch.cs). A libtorch can be loaded once per process, so
/// each case runs the workbook as a child process: from a copy of the test build's output without its
/// CPU libtorch (what tools/gpu/package.sh ships), pointed at a folder of symbolic links to the CPU
/// libtorch 2.10 of the NuGet cache (standing in for PyTorch's torch/lib), at Debian's libtorch 1.13,
/// or at nothing.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ExternalLibTorchTests : IClassFixture<ExternalLibTorchTests.Setup>
{
    /// <summary>Debian's python3-torch 1.13: too old for TorchSharp 0.107.</summary>
    const string DebianTorchLib = "/usr/lib/python3/dist-packages/torch/lib";

    readonly Setup setup;

    public ExternalLibTorchTests(Setup setup) => this.setup = setup;

    /// <summary>The app copy without libtorch and the folder of links; made once for the class.</summary>
    public sealed class Setup : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("workbook-extlibtorch").FullName;
        public string App => Path.Combine(Root, "app");
        /// <summary>Laid out like PyTorch's package: torch/lib holds the libraries.</summary>
        public string Farm => Path.Combine(Root, "torch", "lib");
        public string SourceNative { get; }

        public Setup()
        {
            SourceNative = LibTorchPackageNative() ?? Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
            Directory.CreateDirectory(Farm);
            foreach (var file in Directory.GetFiles(SourceNative))
                if (!Path.GetFileName(file).StartsWith("libLibTorchSharp", StringComparison.Ordinal))
                    File.CreateSymbolicLink(Path.Combine(Farm, Path.GetFileName(file)), file);
            // The build output minus every libtorch library: managed assemblies, config, libLibTorchSharp.so.
            Directory.CreateDirectory(App);
            foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
                if (!file.EndsWith(".pdb", StringComparison.Ordinal)) File.Copy(file, Path.Combine(App, Path.GetFileName(file)));
            var native = Path.Combine(App, "runtimes", "linux-x64", "native");
            Directory.CreateDirectory(native);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(native, "libLibTorchSharp.so"));
        }

        /// <summary>The libtorch-cpu-linux-x64 package's native folder in the NuGet cache, if restored there.</summary>
        static string? LibTorchPackageNative()
        {
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var package = Path.Combine(packages, "libtorch-cpu-linux-x64");
            if (!Directory.Exists(package)) return null;
            return Directory.GetDirectories(package).Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
                .Where(d => File.Exists(Path.Combine(d, "libtorch_cpu.so"))).OrderDescending().FirstOrDefault();
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    WorkbookProcess RunApp(string app, string? libtorch, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = setup.Root };
        foreach (var a in new[] { "exec", Path.Combine(app, "workbook.dll") }.Concat(args)) start.ArgumentList.Add(a);
        start.Environment.Remove("WORKBOOK_PROFILE");
        start.Environment.Remove("WORKBOOK_OUT");
        start.Environment.Remove("WORKBOOK_DEVICE");
        start.Environment["WORKBOOK_ROOT"] = WorkbookPaths.Root;
        start.Environment["WORKBOOK_RUNS_DIR"] = Path.Combine(setup.Root, "runs");
        if (libtorch is null) start.Environment.Remove(ExternalLibTorch.Variable);
        else start.Environment[ExternalLibTorch.Variable] = libtorch;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"workbook {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new WorkbookProcess(process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed.TotalSeconds);
    }

    [Fact]
    public void A_libtorch_folder_of_the_user_trains_a_tiny_model()
    {
        var r = RunApp(setup.App, setup.Farm, "train", "net1", "--epochs", "1", "--subset", "2000", "--fresh");
        Assert.True(r.ExitCode == 0, r.Console);
        // The first line names the folder, the version (read through the links from the NuGet package) and the device.
        Assert.Contains($"from {setup.Farm}, CPU build, all ", r.Console);
        Assert.Contains("libtorch symbols TorchSharp imports resolved; device cpu", r.Console);
        if (setup.SourceNative.Contains("libtorch-cpu-linux-x64", StringComparison.Ordinal))
            Assert.Contains("libtorch 2.10.0 from", r.Console);
        Assert.Contains("net1: test accuracy", r.Console);
    }

    [Fact]
    public void An_older_libtorch_fails_naming_the_missing_symbols_and_its_version()
    {
        Assert.True(Directory.Exists(DebianTorchLib), $"{DebianTorchLib} is missing: install python3-torch (Debian's PyTorch 1.13)");
        var r = RunApp(setup.App, DebianTorchLib, "data");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("libtorch 1.13.0a0", r.Console);
        Assert.Matches(@"lacks [\d,]+ of the [\d,]+ libtorch symbols that TorchSharp 0\.107\.0", r.Console);
        Assert.Contains("_ZN", r.Console); // the names of missing symbols
        Assert.DoesNotContain("Fashion-MNIST from", r.Console);
    }

    [Fact]
    public void A_missing_folder_fails_clearly()
    {
        var missing = Path.Combine(setup.Root, "no-such-torch", "lib");
        var r = RunApp(setup.App, missing, "data");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"WORKBOOK_LIBTORCH={missing}: no such folder", r.Console);
        Assert.Contains("python3 -c", r.Console); // how to find PyTorch's folder
    }

    [Fact]
    public void A_folder_without_libtorch_fails_clearly()
    {
        var empty = Directory.CreateDirectory(Path.Combine(setup.Root, "empty-lib")).FullName;
        var r = RunApp(setup.App, empty, "data");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("lacks libc10.so, libtorch_cpu.so, libtorch.so: it is not a libtorch folder", r.Console);
    }

    [Fact]
    public void A_build_with_its_own_libtorch_refuses_a_second_one_instead_of_aborting()
    {
        // The normal build carries the CPU libtorch; loading another beside it would abort inside libtorch.
        var r = RunApp(AppContext.BaseDirectory, setup.Farm, "data");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("carries its own libtorch", r.Console);
        Assert.DoesNotContain("terminate called", r.Console);
    }

    [Fact]
    public void Without_the_variable_the_bundled_libtorch_is_used_and_nothing_is_printed()
    {
        var r = RunApp(AppContext.BaseDirectory, null, "data", "--no-download");
        Assert.True(r.ExitCode == 0, r.Console);
        Assert.DoesNotContain("symbols TorchSharp imports resolved", r.Console);
    }

    [Fact]
    public void The_elf_reader_finds_the_libtorch_imports_of_libLibTorchSharp_and_sonames()
    {
        var bridge = ElfDynamic.Read(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        Assert.Equal("libLibTorchSharp.so", bridge.Soname);
        Assert.True(bridge.UnversionedImports.Count > 1000, $"{bridge.UnversionedImports.Count} imports");
        Assert.Contains("_ZN2at13globalContextEv", bridge.UnversionedImports);
        // Versioned imports (glibc, libstdc++) are not libtorch's and are left out.
        Assert.DoesNotContain("malloc", bridge.UnversionedImports);
        Assert.Equal("libtorch_cpu.so", ElfDynamic.Read(Path.Combine(setup.Farm, "libtorch_cpu.so")).Soname);
    }

    [Fact]
    public void The_version_comes_from_version_py_or_the_package_the_links_point_into()
    {
        if (Directory.Exists(DebianTorchLib)) Assert.Equal("1.13.0a0", ExternalLibTorch.DetectVersion(DebianTorchLib).Text);
        var farm = ExternalLibTorch.DetectVersion(setup.Farm);
        if (setup.SourceNative.Contains("libtorch-cpu-linux-x64", StringComparison.Ordinal))
            Assert.Equal("2.10.0", farm.Text);
        var pyTorchLike = Directory.CreateDirectory(Path.Combine(setup.Root, "fake-torch", "lib")).FullName;
        File.WriteAllText(Path.Combine(setup.Root, "fake-torch", "version.py"), "__version__ = '2.11.0+cu130'\ndebug = False\n");
        Assert.Equal("2.11.0+cu130", ExternalLibTorch.DetectVersion(pyTorchLike).Text);
    }
}

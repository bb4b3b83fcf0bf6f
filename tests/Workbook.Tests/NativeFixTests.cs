using System.Runtime.InteropServices;
using TorchSharp;
using WorkbookBuild;
using Xunit;

namespace Workbook.Tests;

/// <summary>The Debian 12 TorchSharp load fix (build/ElfVersionPatch.cs, build/TorchSharpNative.targets).</summary>
public class NativeFixTests
{
    static string NuGetCopy => Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static bool SystemLacks3432()
    {
        var lib = ElfVersions.FindSystemLibStdCxx();
        return lib != null && !ElfVersions.ReadDefinitions(File.ReadAllBytes(lib)).Contains("GLIBCXX_3.4.32");
    }

    [Fact]
    public void MarkWeak_changes_only_the_flags_of_that_one_need()
    {
        if (!File.Exists(NuGetCopy)) return; // not a Linux restore
        var original = File.ReadAllBytes(NuGetCopy);
        var need = ElfVersions.ReadNeeds(original).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.Weak);

        var patched = ElfVersions.MarkWeak(original, "libstdc++.so.6", "GLIBCXX_3.4.32");

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([(int)need.FlagsOffset], changed);
        Assert.True(ElfVersions.ReadNeeds(patched).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        Assert.All(ElfVersions.ReadNeeds(patched).Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.Weak));
    }

    [Fact]
    public void Build_output_is_patched_exactly_when_the_system_lacks_the_version_and_the_cache_never_is()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(OutputCopy)) return;
        bool outputWeak = ElfVersions.ReadNeeds(File.ReadAllBytes(OutputCopy)).Single(n => n.Version == "GLIBCXX_3.4.32").Weak;
        Assert.Equal(SystemLacks3432(), outputWeak);
        if (File.Exists(NuGetCopy))
            Assert.False(ElfVersions.ReadNeeds(File.ReadAllBytes(NuGetCopy)).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
    }

    [Fact]
    public void Apply_replaces_the_file_and_is_idempotent()
    {
        if (!File.Exists(NuGetCopy)) return;
        var dir = Directory.CreateTempSubdirectory("elf-fix").FullName;
        try
        {
            var copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(NuGetCopy, copy);
            // A libstdc++ like Debian 12's: every version the library needs but 3.4.32.
            var withoutIt = ElfVersions.ReadNeeds(File.ReadAllBytes(copy)).Select(n => n.Version).Where(v => v != "GLIBCXX_3.4.32").ToHashSet();
            Assert.Equal("patched", NativeFix.Apply(copy, withoutIt).Action);
            Assert.Equal("already-patched", NativeFix.Apply(copy, withoutIt).Action);
            Assert.Empty(Directory.GetFiles(dir, "*tmp*"));
            var all = ElfVersions.ReadNeeds(File.ReadAllBytes(copy)).Select(n => n.Version).ToHashSet();
            Assert.Equal("not-needed", NativeFix.Apply(copy, all).Action);
            // A missing version that is not known to be harmless is reported, not patched.
            all.Remove("GLIBCXX_3.4.30");
            Assert.Equal("cannot-fix", NativeFix.Apply(copy, all).Action);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_library_reads_the_loaded_libstdcxx_as_the_build_does()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        // The kernel-side decision (a byte search of the libstdc++ this process mapped) agrees with the
        // build's (the ELF version definitions of the libstdc++ ldconfig names).
        Assert.Equal(!SystemLacks3432(), Runtime.NativeRuntime.SystemLibStdCxxDefines("GLIBCXX_3.4.32"));
        Assert.Equal(true, Runtime.NativeRuntime.SystemLibStdCxxDefines("GLIBCXX_3.4.30"));
        Assert.Equal(false, Runtime.NativeRuntime.SystemLibStdCxxDefines("GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Where_TorchSharp_has_its_own_native_copy_the_library_preloads_nothing()
    {
        // The test build, like the runner, has a (patched) libLibTorchSharp.so beside TorchSharp.dll: a
        // second libtorch from bin/lib in the same process would be a second copy of its global state.
        Runtime.NativeRuntime.EnsureTorch();
        Assert.Null(Runtime.NativeRuntime.PreloadedTorchSharpNative);
    }

    [Fact]
    public void TorchSharp_loads_and_computes()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void Rejects_files_that_are_not_elf()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(new byte[100]));
    }
}

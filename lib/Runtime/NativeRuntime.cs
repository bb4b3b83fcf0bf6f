using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Workbook.Runtime;

/// <summary>
/// Process-wide native set-up that the library does on first use, so that it also holds inside a
/// notebook kernel where no environment variable can be set before start-up.
/// </summary>
public static class NativeRuntime
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_TOP_PAD = -2;
    const int M_MMAP_MAX = -4;
    /// <summary>glibc's largest heap of a per-thread arena on 64-bit Linux (HEAP_MAX_SIZE).</summary>
    const int ArenaHeapSize = 64 << 20;

    /// <summary>True when glibc's allocator was told to keep freed tensor buffers.</summary>
    public static bool MallocTuned { get; private set; }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);


#pragma warning disable CA2255 // a library initializer is the point: it must run inside notebook kernels too
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLibraryLoad()
    {
        TuneMalloc();
        TuneOpenMp();
        PreloadPatchedTorchSharp();
        FSharpCoreBinding.Install();
    }

    /// <summary>
    /// The workbook's patched libLibTorchSharp.so when this process loaded it in place of TorchSharp's
    /// own copy (inside a notebook kernel on a system whose libstdc++ is too old), else null.
    /// </summary>
    public static string? PreloadedTorchSharpNative { get; private set; }

    /// <summary>The libstdc++ version TorchSharp 0.107's libLibTorchSharp.so asks for (build/ElfVersionPatch.cs).</summary>
    const string NewestLibStdCxxNeed = "GLIBCXX_3.4.32";

    /// <summary>
    /// Inside a notebook kernel TorchSharp comes from the NuGet cache, whose libLibTorchSharp.so
    /// cannot load where libstdc++ lacks GLIBCXX_3.4.32 (Debian 12). The build output beside Lib.dll
    /// holds a copy with that need marked weak (build/TorchSharpNative.targets); loading it first,
    /// by full path, makes TorchSharp's own by-name loads find it (glibc matches the soname of a
    /// library already loaded), together with the libtorch beside it ($ORIGIN runpath). Nothing
    /// is done where TorchSharp has a native copy beside it (the workbook's runner and tests, whose
    /// build outputs are patched too), nor where the system libstdc++ is new enough.
    /// </summary>
    static void PreloadPatchedTorchSharp()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        try
        {
            var libDir = Path.GetDirectoryName(typeof(NativeRuntime).Assembly.Location);
            if (string.IsNullOrEmpty(libDir)) return;
            var patched = Path.Combine(libDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            if (!File.Exists(patched)) return;
            var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
            if (string.IsNullOrEmpty(torchDir) || HasTorchSharpNative(torchDir)) return;
            if (SystemLibStdCxxDefines(NewestLibStdCxxNeed) != false) return;
            // On failure TorchSharp's own loader runs as before and EnsureTorch explains the cause.
            if (NativeLibrary.TryLoad(patched, out _)) PreloadedTorchSharpNative = patched;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException) { }
    }

    static bool HasTorchSharpNative(string dir) =>
        File.Exists(Path.Combine(dir, "libLibTorchSharp.so")) ||
        File.Exists(Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));

    /// <summary>
    /// Whether the libstdc++ this process has loaded (the runtime links it, so it is the one the
    /// dynamic loader will bind TorchSharp to) defines a symbol version; null when it cannot tell.
    /// Version names live in .dynstr as NUL-terminated strings, and libstdc++ defines, never needs,
    /// its own GLIBCXX versions, so finding the name there means it is defined.
    /// </summary>
    public static bool? SystemLibStdCxxDefines(string version)
    {
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is var at and >= 0 ? line[at..] : null)
            .FirstOrDefault(path => path != null && Path.GetFileName(path).StartsWith("libstdc++.so.6", StringComparison.Ordinal));
        if (mapped == null || !File.Exists(mapped)) return null;
        var needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(mapped).AsSpan().IndexOf(needle) >= 0;
    }

    /// <summary>
    /// How libtorch's OpenMP threads wait between parallel regions: the user's OMP_WAIT_POLICY or
    /// GOMP_SPINCOUNT, or "libgomp default (spin)".
    /// </summary>
    public static string OpenMpWaitPolicy { get; private set; } = "libgomp default (spin)";

    /// <summary>
    /// Records the OpenMP wait policy; the library keeps libgomp's default. Measured with
    /// `workbook bench` on an idle 2-core machine, spinning workers make an MLP epoch 1.0 s where sleeping
    /// ones (OMP_WAIT_POLICY=PASSIVE) take 1.9 s; the CNNs do not care. On a machine that is busy with
    /// other work the opposite holds: with one other busy process an MLP epoch took 6 s spinning and
    /// 1.9 s sleeping, and at load averages of 6-16 up to 90 s against 1-4 s. So on a shared machine set
    /// OMP_WAIT_POLICY=PASSIVE in the environment before starting (libgomp reads it once, when libtorch
    /// loads); environment.md says more.
    /// </summary>
    static void TuneOpenMp()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } policy)
            OpenMpWaitPolicy = $"{policy} (OMP_WAIT_POLICY)";
        else if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 } spins)
            OpenMpWaitPolicy = $"GOMP_SPINCOUNT={spins}";
    }


    /// <summary>
    /// Stops glibc malloc from handing large tensor buffers back to the OS after every batch, in the main
    /// arena (mmap_max 0, trim threshold) and in per-thread arenas (a top pad of one 64 MiB heap). Why and
    /// what it measured: environment.md, "Native settings the library makes at start-up".
    /// </summary>
    public static void TuneMalloc()
    {
        if (MallocTuned || !OperatingSystem.IsLinux()) return;
        try
        {
            // mallopt returns 1 on success. On musl there is no mallopt: nothing to tune.
            bool ok = mallopt(M_MMAP_MAX, 0) == 1;
            ok &= mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
            ok &= mallopt(M_TOP_PAD, ArenaHeapSize) == 1;
            MallocTuned = ok;
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    static bool torchChecked;

    /// <summary>
    /// Loads libtorch once and turns TorchSharp's misleading "missing package" message into the real
    /// cause when the Debian 12 libstdc++ problem is behind it.
    /// </summary>
    public static void EnsureTorch()
    {
        if (torchChecked) return;
        ExternalLibTorch.LoadIfConfigured(); // WORKBOOK_LIBTORCH: a libtorch the user has (ExternalLibTorch.cs)
        try
        {
            // A CUDA libtorch must be loaded before any CPU one (two libtorch builds cannot share a
            // process), so try it first, but only where one is installed: TorchSharp prints a long
            // failure message when it looks for CUDA packages that are not there.
            if (CudaBackendInstalled())
            {
                try { torch.TryInitializeDeviceType(DeviceType.CUDA); }
                catch (Exception) { /* no usable GPU: the CPU backend below */ }
            }
            torch.InitializeDeviceType(DeviceType.CPU);
            torchChecked = true;
            DisableNnpack();
        }
        catch (Exception e) when (OperatingSystem.IsLinux())
        {
            var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "?";
            throw new InvalidOperationException(
                "TorchSharp could not load libtorch. On Debian 12 (and other systems whose libstdc++ is older " +
                "than GCC 13) the cause is that libLibTorchSharp.so asks for GLIBCXX_3.4.32. The workbook's build " +
                "fixes the copy in its own output folder (bin/lib/runtimes/linux-x64/native/), which the library loads " +
                "in its place inside a notebook kernel: run `dotnet build Workbook.slnx` at the repository root and " +
                "restart the kernel, or open the notebooks in the devcontainer (Ubuntu 24.04). " +
                $"TorchSharp.dll was loaded from {torchDir}; patched copy loaded: {PreloadedTorchSharpNative ?? "none"}. " +
                "See environment.md, section 'TorchSharp on Debian 12'.", e);
        }
    }

    /// <summary>True when a CUDA build of libtorch is next to TorchSharp or in the NuGet cache.</summary>
    static bool CudaBackendInstalled()
    {
        try
        {
            var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
            if (dir != null && Directory.EnumerateFiles(dir, "*torch_cuda*", SearchOption.AllDirectories).Any()) return true;
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Directory.Exists(packages) && Directory.EnumerateDirectories(packages, "libtorch-cuda-*").Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// libtorch tries NNPACK for some CPU convolutions and, on CPUs it does not support, logs
    /// "Could not initialize NNPACK! Reason: Unsupported hardware." at every attempt, flooding
    /// notebooks. PyTorch users call torch.backends.nnpack.set_flags(False); TorchSharp has no such
    /// call, so make it directly: at::globalContext().setUserEnabledNNPACK(false). Linux x64 only
    /// (the C++ names are Itanium-mangled); elsewhere nothing is done.
    /// </summary>
    static unsafe void DisableNnpack()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        var (context, setEnabled) = LibTorchContext.Member("_ZN2at7Context20setUserEnabledNNPACKEb");
        if (setEnabled != IntPtr.Zero) ((delegate* unmanaged<IntPtr, byte, void>)setEnabled)(context, 0);
    }
}

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
    const int M_MMAP_MAX = -4;

    /// <summary>True when glibc's allocator was told to keep freed tensor buffers.</summary>
    public static bool MallocTuned { get; private set; }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

#pragma warning disable CA2255 // a library initializer is the point: it must run inside notebook kernels too
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLibraryLoad()
    {
        TuneMalloc();
        TuneOpenMp();
    }

    /// <summary>
    /// How libtorch's OpenMP threads wait between parallel regions in this process: "PASSIVE (set by the
    /// workbook)", the user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT, or "libgomp default (spin)" when
    /// libtorch was loaded before the workbook library could set it.
    /// </summary>
    public static string OpenMpWaitPolicy { get; private set; } = "libgomp default (spin)";

    /// <summary>
    /// Makes libtorch's OpenMP worker threads sleep at once when they run out of work
    /// (OMP_WAIT_POLICY=PASSIVE) instead of spinning for up to 300,000 iterations at every barrier, which is
    /// libgomp's default. On a 2-core machine that is also running other work (other notebooks, other
    /// people's training, the test suite) a spinning worker takes the core that the thread it waits for
    /// needs: every parallel region then costs a scheduler time slice. On the shared planning machine, at a
    /// load average of 6-16, an MLP epoch took 28-90 s with spinning and 1.1-3.7 s with PASSIVE, near the
    /// 1.2 s of an idle machine (`workbook bench`, bench/README.md). The price, on a nearly idle machine
    /// (load average 1.5): each parallel region now wakes a sleeping worker, so the MLP, whose ops are tiny,
    /// takes 1.4 s per epoch instead of 0.9-1.2 s (PyTorch alike); the CNNs' regions are long and lose
    /// nothing measurable. On a dedicated machine set OMP_WAIT_POLICY=ACTIVE or GOMP_SPINCOUNT=300000
    /// (libgomp's default) before starting. libgomp reads the variable once, when
    /// libtorch loads it, so it is set in the process environment (libc setenv) before any torch call;
    /// a value the user set (OMP_WAIT_POLICY or GOMP_SPINCOUNT) is left alone. Child processes inherit it.
    /// </summary>
    static void TuneOpenMp()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } policy)
        {
            OpenMpWaitPolicy = $"{policy} (OMP_WAIT_POLICY)";
            return;
        }
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 } spins)
        {
            OpenMpWaitPolicy = $"GOMP_SPINCOUNT={spins}";
            return;
        }
        if (LibgompLoaded()) return; // too late: libgomp has read its settings
        try
        {
            if (setenv("OMP_WAIT_POLICY", "PASSIVE", 0) != 0) return;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return; }
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE"); // .NET keeps its own copy for child processes
        OpenMpWaitPolicy = "PASSIVE (set by the workbook)";
    }

    static bool LibgompLoaded()
    {
        try { return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libgomp", StringComparison.Ordinal)); }
        catch (IOException) { return false; }
    }

    /// <summary>
    /// Stops glibc malloc from handing large tensor buffers back to the OS after every batch.
    /// Each freed buffer would otherwise be unmapped and faulted back in on the next batch; on the
    /// planning machine that made CNN epochs about 3x slower (~70 s instead of ~25 s).
    /// Equivalent to GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=...
    /// </summary>
    public static void TuneMalloc()
    {
        if (MallocTuned || !OperatingSystem.IsLinux()) return;
        try
        {
            // mallopt returns 1 on success. On musl there is no mallopt: nothing to tune.
            bool ok = mallopt(M_MMAP_MAX, 0) == 1;
            ok &= mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
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
                "fixes the copy in its own output folder: run `dotnet build` at the repository root and use the " +
                "workbook command, or open the notebooks in the devcontainer (Ubuntu 24.04). " +
                $"TorchSharp.dll was loaded from {torchDir}. See environment.md, section 'TorchSharp on Debian 12'.", e);
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
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var lib)) return; // already loaded: this finds it by its soname
        if (NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var globalContext) &&
            NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setEnabled))
        {
            var context = ((delegate* unmanaged<IntPtr>)globalContext)();
            ((delegate* unmanaged<IntPtr, byte, void>)setEnabled)(context, 0);
        }
    }
}

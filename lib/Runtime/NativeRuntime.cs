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
    /// How libtorch's OpenMP threads wait between parallel regions, and why: the user's OMP_WAIT_POLICY
    /// or GOMP_SPINCOUNT, or the workbook's choice from the load at start (<see cref="ChooseOpenMpWait"/>).
    /// </summary>
    public static string OpenMpWaitPolicy { get; private set; } = "libgomp default (spin)";

    /// <summary>
    /// The 1-minute load average from which the library chooses passive OpenMP waiting: one other
    /// CPU-bound process makes it about 1, an idle machine stays well below.
    /// </summary>
    public const double BusyLoadAverage = 0.5;

    /// <summary>What the library sets before libtorch loads (Variable null: nothing) and how it is described.</summary>
    public sealed record OpenMpWaitChoice(string? Variable, string? Value, string Description);

    /// <summary>
    /// How libtorch's OpenMP threads should wait. libgomp's default lets a worker spin for up to 300,000
    /// iterations at every barrier before it sleeps. Measured with `workbook bench` on a 2-core machine:
    /// idle, spinning makes an MLP epoch 1.0 s against 1.9 s sleeping (OMP_WAIT_POLICY=PASSIVE), the
    /// CNNs do not care; with one other busy process the MLP epoch took 6 s spinning against 1.9 s
    /// sleeping, and at load averages of 6-16 up to 90 s against 1-4 s. The loss when busy is far larger
    /// than the gain when idle, so: a variable the user set wins; else a machine already busy at start
    /// (1-minute load average at least <see cref="BusyLoadAverage"/>) gets PASSIVE; else libgomp's
    /// default stays. The load at start cannot foresee work started later: OMP_WAIT_POLICY=PASSIVE (or
    /// ACTIVE) in the environment settles it. environment.md says what was measured.
    /// </summary>
    /// <param name="waitPolicy">The user's OMP_WAIT_POLICY, if any.</param>
    /// <param name="spinCount">The user's GOMP_SPINCOUNT, if any.</param>
    /// <param name="loadAverage">The 1-minute load average now, or null when unknown.</param>
    /// <param name="openMpLoaded">True when libgomp is loaded already (it reads its variables once, when it loads).</param>
    public static OpenMpWaitChoice ChooseOpenMpWait(string? waitPolicy, string? spinCount, double? loadAverage, bool openMpLoaded)
    {
        if (!string.IsNullOrWhiteSpace(waitPolicy)) return new(null, null, $"{waitPolicy} (OMP_WAIT_POLICY)");
        if (!string.IsNullOrWhiteSpace(spinCount)) return new(null, null, $"GOMP_SPINCOUNT={spinCount}");
        if (openMpLoaded) return new(null, null, "libgomp default (spin; libgomp was loaded before the workbook library could choose)");
        if (loadAverage is not { } l) return new(null, null, "libgomp default (spin; load average unknown)");
        var load = l.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        return l >= BusyLoadAverage
            ? new("OMP_WAIT_POLICY", "PASSIVE", $"PASSIVE (chosen: load average {load} at start; OMP_WAIT_POLICY=ACTIVE to spin)")
            : new(null, null, $"libgomp default (spin; chosen: load average {load} at start; OMP_WAIT_POLICY=PASSIVE to sleep)");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>
    /// Applies <see cref="ChooseOpenMpWait"/> before libtorch (and its libgomp) loads. .NET keeps its
    /// own copy of the environment on Linux, so the variable goes into the C environment too, where
    /// libgomp reads it, and into .NET's, which child processes (bench's PyTorch side) inherit.
    /// </summary>
    static void TuneOpenMp()
    {
        var choice = ChooseOpenMpWait(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"),
            OperatingSystem.IsLinux() ? LoadAverage() : null, OpenMpLoaded());
        OpenMpWaitPolicy = choice.Description;
        if (choice.Variable is not { } name || choice.Value is not { } value) return;
        try
        {
            if (setenv(name, value, 0) != 0) throw new InvalidOperationException("setenv failed");
            Environment.SetEnvironmentVariable(name, value);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            OpenMpWaitPolicy = "libgomp default (spin; the environment could not be set)";
        }
    }

    /// <summary>The 1-minute load average (/proc/loadavg), or null.</summary>
    static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when an OpenMP runtime is mapped into this process already (then it has read its variables).</summary>
    static bool OpenMpLoaded()
    {
        try { return OperatingSystem.IsLinux() && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libgomp", StringComparison.Ordinal)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
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

using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Workbook.Runtime;

/// <summary>The libtorch folder named by WORKBOOK_LIBTORCH cannot be used; the message says why and what to do.</summary>
public sealed class ExternalLibTorchException(string message) : Exception(message);

/// <summary>
/// Runs TorchSharp on a libtorch the user already has, e.g. the one inside a CUDA build of PyTorch
/// (<c>WORKBOOK_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib</c>).
/// TorchSharp's CUDA packages are multi-gigabyte downloads that this project's mirror lacks, while a
/// PyTorch install carries a complete libtorch.
/// </summary>
/// <remarks>
/// Before TorchSharp loads anything, <see cref="LoadIfConfigured"/> opens that folder's libraries by
/// full path (so their own <c>$ORIGIN</c> run paths find PyTorch's CUDA libraries; no LD_LIBRARY_PATH
/// or symbolic links are needed), checks that every libtorch symbol libLibTorchSharp.so imports is
/// defined, opens libLibTorchSharp.so with all symbols bound, and then answers TorchSharp's own
/// native-library requests (torch_cpu, torch_cuda, LibTorchSharp) with those handles, so that no
/// libtorch beside TorchSharp.dll (the workbook's CPU one in a normal build) is ever loaded: two
/// libtorch builds cannot share a process. A libtorch can be loaded once per process, so the choice is
/// made at the first use of TorchSharp through the library and cannot change afterwards.
/// </remarks>
public static class ExternalLibTorch
{
    /// <summary>The environment variable naming the libtorch folder (the one holding libtorch_cpu.so).</summary>
    public const string Variable = "WORKBOOK_LIBTORCH";

    /// <summary>The assembly metadata key a build sets with <c>-p:WorkbookLibTorch=/path</c>.</summary>
    public const string MetadataKey = "WorkbookLibTorch";

    /// <summary>The assembly metadata key that records <c>-p:TorchBackend=external</c> (a build without a libtorch of its own).</summary>
    public const string BackendMetadataKey = "WorkbookTorchBackend";

    /// <summary>The libtorch version TorchSharp 0.107 was compiled against (its headers).</summary>
    public const string CompiledAgainst = "2.10";

    static readonly object gate = new();
    static bool done;
    static Exception? failure;
    static readonly Dictionary<string, IntPtr> handles = new(StringComparer.Ordinal);

    /// <summary>What was loaded, once <see cref="LoadIfConfigured"/> succeeded with a folder; else null.</summary>
    public static ExternalLibTorchInfo? Loaded { get; private set; }

    /// <summary>The configured folder: WORKBOOK_LIBTORCH, else the path baked in at build time, else null.</summary>
    public static string? ConfiguredFolder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env ? env : Metadata(MetadataKey) is { Length: > 0 } baked ? baked : null;

    /// <summary>True when this build has no libtorch of its own (<c>-p:TorchBackend=external</c>).</summary>
    public static bool BuiltWithoutLibTorch => Metadata(BackendMetadataKey) == "external";

    /// <summary>True when a folder is configured (and so will be used instead of a libtorch beside TorchSharp).</summary>
    public static bool Configured => ConfiguredFolder != null;

    static string? Metadata(string key) =>
        typeof(ExternalLibTorch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    /// <summary>
    /// Loads and checks the configured libtorch and initialises TorchSharp on it; does nothing when no
    /// folder is configured and the build has its own libtorch. Safe to call many times; a failure is
    /// thrown again on every call. Prints one line to stderr saying which libtorch and device are used.
    /// </summary>
    public static void LoadIfConfigured()
    {
        lock (gate)
        {
            if (failure != null) throw new ExternalLibTorchException(failure.Message);
            if (done) return;
            try
            {
                var folder = ConfiguredFolder;
                if (folder == null)
                {
                    if (BuiltWithoutLibTorch)
                        throw new ExternalLibTorchException(
                            $"this workbook was built without a libtorch of its own (-p:TorchBackend=external), and {Variable} is not set. " +
                            $"Set {Variable} to a libtorch folder, e.g. PyTorch's: export {Variable}=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib " +
                            "(see environment.md, 'GPU with an existing PyTorch').");
                    done = true;
                    return;
                }
                Loaded = Load(folder);
                done = true;
                Console.Error.WriteLine(Loaded.Summary);
            }
            catch (Exception e) when (e is ExternalLibTorchException)
            {
                failure = e;
                throw;
            }
            catch (Exception e)
            {
                failure = new ExternalLibTorchException($"{Variable}: loading libtorch failed: {e.GetType().Name}: {e.Message}");
                throw failure;
            }
        }
    }

    /// <summary>The libraries of a libtorch folder, in the order PyTorch itself loads them; the first three are required.</summary>
    static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    static readonly string[] LoadOrder = ["libtorch_global_deps.so", "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    static ExternalLibTorchInfo Load(string configured)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new ExternalLibTorchException($"{Variable} is supported on Linux x64 only (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}).");
        var folder = Path.GetFullPath(configured);
        if (!Directory.Exists(folder))
            throw new ExternalLibTorchException(
                $"{Variable}={configured}: no such folder. Point it at a folder holding libtorch_cpu.so, libc10.so and libtorch.so, " +
                $"e.g. PyTorch's: export {Variable}=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib");
        var missing = Required.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
            throw new ExternalLibTorchException(
                $"{Variable}={folder} lacks {string.Join(", ", missing)}: it is not a libtorch folder. For PyTorch it is the lib folder inside the torch package " +
                "(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))' prints the package folder).");
        // A libtorch already in the process (TorchSharp used before the library, e.g. a notebook cell calling
        // torch directly first) cannot be replaced: loading a second one would abort the process.
        if (MappedPath("libtorch_cpu.so") is { } already && !SameFile(already, Path.Combine(folder, "libtorch_cpu.so")))
            throw new ExternalLibTorchException(
                $"{Variable}={folder}: this process already runs on the libtorch in {Path.GetDirectoryName(already)} (TorchSharp was used before the workbook library), " +
                "and a process can hold only one libtorch. Restart it (in a notebook: restart the kernel) and let the first TorchSharp use go through the library, e.g. Compute.Description.");
        var version = DetectVersion(folder);
        bool cudaBuild = File.Exists(Path.Combine(folder, "libtorch_cuda.so"));
        var bridge = FindLibTorchSharp();

        // Every library by full path, all symbols bound now and made visible to the libraries after it.
        foreach (var name in LoadOrder)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            var handle = Dl.Open(path, Dl.Now | Dl.Global);
            if (handle == IntPtr.Zero)
                throw new ExternalLibTorchException($"{Variable}: {path} (libtorch {version.Text}) could not be loaded: {Dl.Error()}. " +
                    "A CUDA PyTorch needs its nvidia-* Python packages installed beside it; run `python3 -c 'import torch'` to see whether PyTorch itself loads.");
            handles[name] = handle;
        }

        // The libtorch symbols libLibTorchSharp.so imports, looked up in what was just loaded.
        var imports = ElfDynamic.Read(bridge).UnversionedImports;
        var unresolved = imports.Where(s => Dl.Symbol(IntPtr.Zero, s) == IntPtr.Zero).ToList();
        if (unresolved.Count > 0)
            throw new ExternalLibTorchException(
                $"{Variable}={folder}: libtorch {version.Text} ({version.Source}) lacks {unresolved.Count:N0} of the {imports.Count:N0} libtorch symbols " +
                $"that TorchSharp {TorchSharpVersion} ({bridge}) needs, e.g. {string.Join(", ", unresolved.Take(5))}. " +
                $"TorchSharp {TorchSharpVersion} is built against libtorch {CompiledAgainst}; use a PyTorch/libtorch {CompiledAgainst} or a later 2.x " +
                "(PyTorch 2.11 was found to export every symbol it needs), or unset the variable to use the workbook's own CPU libtorch.");

        // libLibTorchSharp.so finds its libtorch.so, libc10.so, libtorch_cpu.so needs among the loaded
        // libraries by soname; a library whose soname differs would make the loader search for another copy.
        foreach (var name in Required)
        {
            var soname = ElfDynamic.Read(Path.Combine(folder, name)).Soname;
            if (soname != name)
                throw new ExternalLibTorchException(
                    $"{Variable}={folder}: {name} has the soname '{soname ?? "(none)"}', but libLibTorchSharp.so asks for '{name}', so the loader would look for another copy. " +
                    "Use PyTorch's own torch/lib folder or an official libtorch download.");
        }
        // TorchSharp's loader probes the application's native folders by file name before it asks the
        // system loader, and NativeLibrary.TryLoad bypasses any resolver: a libtorch_cpu.so there would
        // be loaded as a second libtorch, and libtorch aborts the process when its operators register twice.
        if (BundledLibTorch(Path.Combine(folder, "libtorch_cpu.so")) is { } bundled)
            throw new ExternalLibTorchException(
                $"{Variable}={folder}: this build of the workbook carries its own libtorch ({bundled}), which TorchSharp would load beside the one in {Variable}; " +
                "one process can hold only one libtorch. Use a build without one: tools/gpu/package.sh, or `dotnet build -p:TorchBackend=external` " +
                $"(then `dotnet build` again to go back), or unset {Variable} to use the bundled CPU libtorch.");

        var bridgeHandle = Dl.Open(bridge, Dl.Now);
        if (bridgeHandle == IntPtr.Zero)
            throw new ExternalLibTorchException($"{Variable}={folder}: {bridge} does not load on libtorch {version.Text}: {Dl.Error()}");
        handles["LibTorchSharp"] = bridgeHandle;

        // TorchSharp's P/Invokes name "LibTorchSharp": answer them with the library opened above.
        try { NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve); }
        catch (InvalidOperationException)
        {
            throw new ExternalLibTorchException($"{Variable}: something else has already registered a native-library resolver for TorchSharp, so the libtorch in {folder} cannot be put in its place.");
        }
        // TorchSharp's own loader (run by its static constructor) now asks for torch_cpu, torch_cuda and
        // LibTorchSharp by name; the loader answers with the libraries above through their sonames.
        bool cuda;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            cuda = cudaBuild && torch.cuda.is_available();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ExternalLibTorchException($"{Variable}={folder}: TorchSharp did not initialise on libtorch {version.Text}: {(e.InnerException ?? e).Message}");
        }
        var mapped = MappedPath("libtorch_cpu.so");
        if (mapped != null && !SameFile(mapped, Path.Combine(folder, "libtorch_cpu.so")))
            throw new ExternalLibTorchException($"{Variable}={folder}: TorchSharp runs on {mapped}, not on this folder's libtorch_cpu.so. Was TorchSharp used before the workbook library?");
        int gpus = cuda ? torch.cuda.device_count() : 0;
        var gpuName = cuda ? GpuName() : null;

        var wanted = (Environment.GetEnvironmentVariable("WORKBOOK_DEVICE") ?? "").Trim().ToLowerInvariant();
        if (wanted == "cuda" && !cuda)
            throw new ExternalLibTorchException(cudaBuild
                ? $"WORKBOOK_DEVICE=cuda, but the CUDA libtorch {version.Text} in {folder} sees no GPU (driver missing, CUDA_VISIBLE_DEVICES empty, or a driver older than its CUDA). Check with: python3 -c 'import torch;print(torch.cuda.is_available())'"
                : $"WORKBOOK_DEVICE=cuda, but {folder} holds a CPU-only libtorch {version.Text} (no libtorch_cuda.so). Point {Variable} at a CUDA build of PyTorch.");
        return new ExternalLibTorchInfo(folder, version.Text, version.Source, cudaBuild, cuda, gpus, imports.Count, mapped ?? Path.Combine(folder, "libtorch_cpu.so"))
            { GpuName = gpuName };
    }

    /// <summary>A libtorch_cpu.so in a folder TorchSharp probes (other than <paramref name="external"/> itself), or null.</summary>
    static string? BundledLibTorch(string external)
    {
        var folders = ((AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(AppContext.BaseDirectory)
            .Append(Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "");
        foreach (var folder in folders.Where(f => f.Length > 0).Distinct())
            foreach (var name in new[] { "libtorch_cpu.so", "torch_cpu.so" })
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate) && !SameFile(candidate, external)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// The name of GPU 0 from the CUDA runtime libtorch_cuda.so loaded (TorchSharp has no
    /// get_device_name), or null. cudaDeviceProp begins with char name[256] in every CUDA version; the
    /// rest of the structure (about 1 KB, growing between versions) lands in a buffer far larger than it.
    /// </summary>
    static unsafe string? GpuName()
    {
        if (!handles.TryGetValue("libtorch_cuda.so", out var cudaTorch)) return null;
        foreach (var symbol in new[] { "cudaGetDeviceProperties_v2", "cudaGetDeviceProperties" })
        {
            var f = Dl.Symbol(cudaTorch, symbol);
            if (f == IntPtr.Zero) continue;
            var buffer = new byte[64 * 1024];
            fixed (byte* p = buffer)
            {
                if (((delegate* unmanaged<byte*, int, int>)f)(p, 0) != 0) return null;
            }
            int end = Array.IndexOf(buffer, (byte)0, 0, 256);
            var name = System.Text.Encoding.UTF8.GetString(buffer, 0, end < 0 ? 256 : end).Trim();
            return name.Length > 0 ? name : null;
        }
        return null;
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // TorchSharp asks for "torch_cpu", "torch_cuda" and "LibTorchSharp"; a CPU-only folder has no
        // torch_cuda, and answering with libtorch keeps the loader from looking beside TorchSharp.dll.
        string? key = name switch
        {
            "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" => "LibTorchSharp",
            "torch_cpu" or "libtorch_cpu" or "libtorch_cpu.so" => "libtorch_cpu.so",
            "torch_cuda" or "libtorch_cuda" or "libtorch_cuda.so" => handles.ContainsKey("libtorch_cuda.so") ? "libtorch_cuda.so" : "libtorch.so",
            "torch" or "libtorch" or "libtorch.so" => "libtorch.so",
            "c10" or "libc10" or "libc10.so" => "libc10.so",
            _ => null,
        };
        return key != null && handles.TryGetValue(key, out var handle) ? handle : IntPtr.Zero;
    }

    static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>
    /// libLibTorchSharp.so as the process would load it: beside TorchSharp.dll or the application (a
    /// build or publish output, where the workbook's copy is the one patched for Debian 12), or in
    /// TorchSharp's NuGet package (a notebook kernel).
    /// </summary>
    static string FindLibTorchSharp()
    {
        var torchSharpDir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "";
        var candidates = new[]
        {
            Path.Combine(torchSharpDir, "libLibTorchSharp.so"),
            Path.Combine(torchSharpDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", "linux-x64", "native", "libLibTorchSharp.so")),
        };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new ExternalLibTorchException($"{Variable}: libLibTorchSharp.so (TorchSharp's bridge to libtorch) was not found; looked in {string.Join(", ", candidates.Distinct())}. Rebuild or republish the workbook.");
    }

    /// <summary>
    /// The libtorch version of a folder: PyTorch's torch/version.py above it, a libtorch download's
    /// build-version, the NuGet package a linked file comes from, or a versioned soname.
    /// </summary>
    public static (string Text, string Source) DetectVersion(string folder)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder)) ?? folder;
        var versionPy = Path.Combine(parent, "version.py");
        if (File.Exists(versionPy))
        {
            var m = Regex.Match(File.ReadAllText(versionPy), @"^__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline);
            if (m.Success) return (m.Groups[1].Value, versionPy);
        }
        var buildVersion = Path.Combine(parent, "build-version");
        if (File.Exists(buildVersion) && File.ReadAllText(buildVersion).Trim() is { Length: > 0 } bv) return (bv, buildVersion);
        var cpu = new FileInfo(Path.Combine(folder, "libtorch_cpu.so"));
        var real = cpu.LinkTarget != null ? cpu.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? cpu.FullName : cpu.FullName;
        // NuGet: <packages>/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native/libtorch_cpu.so
        var versionDir = new DirectoryInfo(Path.GetDirectoryName(real)!).Parent?.Parent?.Parent;
        if (versionDir != null && versionDir.Parent != null && versionDir.GetFiles("*.nuspec").Length > 0)
            return (versionDir.Name, $"NuGet package {versionDir.Parent.Name} ({versionDir.FullName})");
        var suffix = Regex.Match(Path.GetFileName(real), @"\.so\.(\d+(\.\d+)*)$");
        if (suffix.Success) return (suffix.Groups[1].Value, $"the file name {real}");
        return ("(version unknown)", "no torch/version.py, build-version or versioned file name");
    }

    /// <summary>The file a library of this name is mapped from in this process (from /proc/self/maps), or null.</summary>
    public static string? MappedPath(string fileName)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && Path.GetFileName(line[slash..]) == fileName) return line[slash..];
            }
        }
        catch (IOException) { }
        return null;
    }

    static bool SameFile(string a, string b)
    {
        static string Real(string p) => new FileInfo(p).LinkTarget != null ? new FileInfo(p).ResolveLinkTarget(true)?.FullName ?? p : Path.GetFullPath(p);
        return Real(a) == Real(b);
    }

    /// <summary>glibc's dynamic loader (dlopen lives in libc since glibc 2.34, and libdl.so.2 before).</summary>
    static class Dl
    {
        public const int Now = 0x2, Global = 0x100;

        [DllImport("libc", EntryPoint = "dlopen")] static extern IntPtr DlOpen(string path, int flags);
        [DllImport("libc", EntryPoint = "dlsym")] static extern IntPtr DlSym(IntPtr handle, string name);
        [DllImport("libc", EntryPoint = "dlerror")] static extern IntPtr DlError();
        [DllImport("libdl.so.2", EntryPoint = "dlopen")] static extern IntPtr DlOpenOld(string path, int flags);
        [DllImport("libdl.so.2", EntryPoint = "dlsym")] static extern IntPtr DlSymOld(IntPtr handle, string name);
        [DllImport("libdl.so.2", EntryPoint = "dlerror")] static extern IntPtr DlErrorOld();

        static bool old;

        public static IntPtr Open(string path, int flags)
        {
            if (!old) try { return DlOpen(path, flags); } catch (EntryPointNotFoundException) { old = true; }
            return DlOpenOld(path, flags);
        }

        /// <summary>Looks <paramref name="name"/> up; handle zero is RTLD_DEFAULT, the global scope.</summary>
        public static IntPtr Symbol(IntPtr handle, string name) => old ? DlSymOld(handle, name) : DlSym(handle, name);

        public static string Error()
        {
            var p = old ? DlErrorOld() : DlError();
            return p == IntPtr.Zero ? "(no message from the loader)" : Marshal.PtrToStringUTF8(p) ?? "?";
        }
    }
}

/// <summary>What <see cref="ExternalLibTorch"/> loaded.</summary>
/// <param name="Folder">The libtorch folder.</param>
/// <param name="Version">Its libtorch version.</param>
/// <param name="VersionSource">Where the version was read.</param>
/// <param name="CudaBuild">The folder holds libtorch_cuda.so.</param>
/// <param name="CudaAvailable">libtorch sees a GPU.</param>
/// <param name="Gpus">How many.</param>
/// <param name="SymbolsResolved">The libtorch symbols of libLibTorchSharp.so, all of which resolved.</param>
/// <param name="LibTorchCpuMapped">The libtorch_cpu.so the process runs on (from /proc/self/maps).</param>
public sealed record ExternalLibTorchInfo(string Folder, string Version, string VersionSource, bool CudaBuild, bool CudaAvailable,
    int Gpus, int SymbolsResolved, string LibTorchCpuMapped)
{
    /// <summary>GPU 0's name as the CUDA runtime reports it (e.g. "NVIDIA H100 80GB HBM3"), when there is a GPU.</summary>
    public string? GpuName { get; init; }

    /// <summary>One line for logs: which libtorch, which device.</summary>
    public string Summary
    {
        get
        {
            var device = CudaAvailable ? $"cuda ({Gpus} GPU{(Gpus == 1 ? "" : "s")}{(GpuName is null ? "" : ", " + GpuName)})" : CudaBuild ? "cpu (this CUDA build sees no GPU)" : "cpu";
            if (CudaAvailable && (Environment.GetEnvironmentVariable("WORKBOOK_DEVICE") ?? "").Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase))
                device += ", but WORKBOOK_DEVICE=cpu: training runs on the cpu";
            var risk = Version.StartsWith(ExternalLibTorch.CompiledAgainst + ".", StringComparison.Ordinal) ? ""
                : $" (TorchSharp is built against libtorch {ExternalLibTorch.CompiledAgainst})";
            return $"libtorch {Version}{risk} from {Folder}, {(CudaBuild ? "CUDA" : "CPU")} build, all {SymbolsResolved:N0} libtorch symbols TorchSharp imports resolved; device {device}";
        }
    }
}

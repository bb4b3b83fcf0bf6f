using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace Workbook.Cli.Runner;

/// <summary>
/// The metadata references of one notebook's scripts: the .NET framework, plus what the notebook's
/// <c>#r</c> lines asked for. Every referenced assembly is the one loaded in the runner's default
/// load context, so a type (Workbook.Reporting.Table, TorchSharp's Tensor, Plotly.NET's GenericChart)
/// is the same type in the notebook, in the runner's formatters and in every later cell.
/// </summary>
public sealed class ReferenceSet
{
    static readonly Lazy<IReadOnlyList<MetadataReference>> framework = new(LoadFramework);
    static readonly Lazy<Dictionary<string, string>> trusted = new(ReadTrustedAssemblies);
    static readonly ConcurrentDictionary<string, Assembly> loadedFromFiles = new(StringComparer.OrdinalIgnoreCase);
    static readonly ConcurrentDictionary<string, byte> probeFolders = new();
    static int resolvingHooked;

    readonly Dictionary<string, MetadataReference> added = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Framework references and those added so far.</summary>
    public IEnumerable<MetadataReference> All => framework.Value.Concat(added.Values);

    /// <summary>Simple names of the assemblies added by #r lines.</summary>
    public IReadOnlyCollection<string> Added => added.Keys;

    /// <summary>
    /// The shared framework's assemblies (System.*, Microsoft.CSharp, ...), like the reference set
    /// of Polyglot's C# kernel. CoreLib is left out: Roslyn scripting adds it itself.
    /// </summary>
    static IReadOnlyList<MetadataReference> LoadFramework()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return trusted.Value.Values
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).Equals("System.Private.CoreLib.dll", StringComparison.OrdinalIgnoreCase))
            .Where(IsManagedAssembly)
            .Order(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    }

    static bool IsManagedAssembly(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>The runtime's trusted platform assemblies (the framework and the runner's own folder), by simple name.</summary>
    static Dictionary<string, string> ReadTrustedAssemblies()
    {
        var list = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in list) map.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        return map;
    }

    /// <summary>
    /// The assembly of this simple name that the runner has loaded or can load from its own folder,
    /// or null. This is what makes <c>#r "../bin/lib/Lib.dll"</c> mean the runner's Lib.
    /// </summary>
    public static Assembly? FindInRunner(string simpleName)
    {
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a =>
            string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));
        if (loaded != null) return loaded;
        if (!trusted.Value.ContainsKey(simpleName)) return null;
        try { return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName)); }
        catch (FileNotFoundException) { return null; }
    }

    /// <summary>References an assembly of a package the runner carries (by simple name).</summary>
    public void AddPackageAssembly(string simpleName, string package)
    {
        var assembly = FindInRunner(simpleName)
            ?? throw new NotebookDirectiveException($"assembly {simpleName} of package {package} is missing from the runner's folder; rebuild with dotnet build Workbook.slnx");
        Add(assembly);
    }

    /// <summary>
    /// References an assembly file named by <c>#r "path"</c> (relative to <paramref name="baseFolder"/>).
    /// When the runner already has an assembly of that name, that one is referenced, so types stay
    /// identical; otherwise the file is loaded into the default context, and the folder it is in is
    /// searched for its own dependencies. Returns a note when the runner's copy stands in for a different build of the file, else null.
    /// </summary>
    public string? AddFile(string path, string baseFolder)
    {
        var full = Path.GetFullPath(Path.Combine(baseFolder, path));
        if (!File.Exists(full))
            throw new NotebookDirectiveException($"#r \"{path}\": no such file ({full}). If it is the workbook library, build it first with dotnet build Workbook.slnx.");
        AssemblyName name;
        try { name = AssemblyName.GetAssemblyName(full); }
        catch (BadImageFormatException) { throw new NotebookDirectiveException($"#r \"{path}\": {full} is not a .NET assembly"); }

        var simpleName = name.Name!;
        var existing = FindInRunner(simpleName) ?? (loadedFromFiles.TryGetValue(simpleName, out var a) ? a : null);
        if (existing != null)
        {
            Add(existing);
            return SameBuild(existing, full)
                ? null
                : $"#r \"{path}\" is a different build of {simpleName} from the runner's; the runner's copy ({existing.Location}) is used so that its types are the runner's. Rebuild with dotnet build Workbook.slnx to make them the same.";
        }

        HookResolving();
        probeFolders.TryAdd(Path.GetDirectoryName(full)!, 0);
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        loadedFromFiles[simpleName] = assembly;
        Add(assembly);
        return null;
    }

    /// <summary>Whether the file is the very assembly already loaded (same module version id), e.g. a copy made by the build.</summary>
    static bool SameBuild(Assembly loaded, string file)
    {
        if (string.Equals(loaded.Location, file, StringComparison.Ordinal)) return true;
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid) == loaded.ManifestModule.ModuleVersionId;
    }

    void Add(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        if (added.ContainsKey(name)) return;
        if (string.IsNullOrEmpty(assembly.Location))
            throw new NotebookDirectiveException($"assembly {name} has no file to reference");
        added[name] = MetadataReference.CreateFromFile(assembly.Location);
    }

    /// <summary>
    /// Lets the default context find assemblies loaded by #r path and their neighbours. Roslyn's
    /// script loader asks the default context first, so answering here keeps it from loading a
    /// second copy of the same assembly into a context of its own.
    /// </summary>
    static void HookResolving()
    {
        if (Interlocked.Exchange(ref resolvingHooked, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name is null) return null;
            if (loadedFromFiles.TryGetValue(name.Name, out var known)) return known;
            foreach (var folder in probeFolders.Keys)
            {
                var candidate = Path.Combine(folder, name.Name + ".dll");
                if (!File.Exists(candidate)) continue;
                var assembly = context.LoadFromAssemblyPath(candidate);
                loadedFromFiles[name.Name] = assembly;
                return assembly;
            }
            return null;
        };
    }
}

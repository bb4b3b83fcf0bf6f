using System.Text.Json.Nodes;

namespace Workbook.Cli.Runner;

/// <summary>What a <c>#r "nuget: ..."</c> line resolved to.</summary>
/// <param name="AssemblyNames">Simple names of the assemblies to reference: the package's and those of every package it depends on.</param>
/// <param name="Note">Something to tell the reader (an alias taken, a package the runner stands in for), or null.</param>
public sealed record PackageResolution(IReadOnlyList<string> AssemblyNames, string? Note);

/// <summary>
/// The NuGet packages the workbook itself was built with, read from the runner's own
/// <c>workbook.deps.json</c>. A notebook's <c>#r "nuget: ..."</c> line is satisfied from these (no
/// download, no restore): the versions in Directory.Packages.props are the only ones there are.
/// </summary>
public sealed class PackageCatalog
{
    sealed record Package(string Name, string Version, IReadOnlyList<string> Dependencies, IReadOnlyList<string> Assemblies);

    readonly Dictionary<string, Package> packages;

    /// <summary>The deps file the catalog was read from.</summary>
    public string Source { get; }

    PackageCatalog(string source, Dictionary<string, Package> packages)
    {
        Source = source;
        this.packages = packages;
    }

    /// <summary>The version of a package the workbook references, or null.</summary>
    public string? VersionOf(string package) => packages.TryGetValue(package, out var p) ? p.Version : null;

    /// <summary>
    /// The catalog of the runner: <c>workbook.deps.json</c> beside the assembly that holds the runner
    /// (also where tests find it, since the SDK copies a referenced program's deps file), else the
    /// deps files of the running application.
    /// </summary>
    public static PackageCatalog ForRunner()
    {
        var assembly = typeof(PackageCatalog).Assembly;
        var folder = string.IsNullOrEmpty(assembly.Location) ? AppContext.BaseDirectory : Path.GetDirectoryName(assembly.Location)!;
        var beside = Path.Combine(folder, assembly.GetName().Name + ".deps.json");
        if (File.Exists(beside)) return Load(beside);
        var appDeps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                      .FirstOrDefault(File.Exists);
        return appDeps != null
            ? Load(appDeps)
            : throw new FileNotFoundException($"the runner cannot find its package list ({beside}); rebuild with dotnet build Workbook.slnx");
    }

    /// <summary>Reads the package libraries of a .deps.json file.</summary>
    public static PackageCatalog Load(string depsJsonPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(depsJsonPath))!.AsObject();
        var targetName = (string?)root["runtimeTarget"]?["name"];
        var targets = root["targets"]?.AsObject();
        var target = (targetName != null ? targets?[targetName] : targets?.FirstOrDefault().Value)?.AsObject()
                     ?? throw new InvalidDataException($"{depsJsonPath} has no targets");
        var libraries = root["libraries"]?.AsObject() ?? new JsonObject();
        var found = new Dictionary<string, Package>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, entry) in target)
        {
            int slash = key.IndexOf('/');
            if (slash < 0 || (string?)libraries[key]?["type"] != "package") continue;
            var deps = entry?["dependencies"]?.AsObject().Select(d => d.Key).ToList() ?? [];
            var dlls = entry?["runtime"]?.AsObject()
                .Select(r => r.Key)
                .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .ToList() ?? [];
            found[key[..slash]] = new Package(key[..slash], key[(slash + 1)..], deps, dlls);
        }
        return new PackageCatalog(depsJsonPath, found);
    }

    /// <summary>
    /// Resolves one package reference. The CPU and CUDA TorchSharp packages stand for the TorchSharp
    /// the runner was built with, and Plotly.NET.Interactive (Polyglot's chart formatter) is replaced
    /// by the runner's own formatter; both must name the same version as the runner has. Anything
    /// else must be a package the workbook references, at its version.
    /// </summary>
    public PackageResolution Resolve(NuGetDirective reference)
    {
        var name = reference.Package;
        string? note = null;
        if (name.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase) &&
            name.ToLowerInvariant() is "torchsharp-cpu" or "torchsharp-cuda-linux" or "torchsharp-cuda-windows")
        {
            CheckVersion(reference, "TorchSharp");
            note = $"{name} is served by the runner's TorchSharp {VersionOf("TorchSharp")} (its native libtorch is the one the workbook was built with)";
            name = "TorchSharp";
        }
        else if (name.Equals("Plotly.NET.Interactive", StringComparison.OrdinalIgnoreCase))
        {
            CheckVersion(reference, "Plotly.NET");
            return new PackageResolution([], "Plotly.NET.Interactive is Polyglot's chart formatter; the runner draws Plotly.NET charts with its own");
        }
        else
        {
            CheckVersion(reference, name);
        }
        return new PackageResolution(Closure(name), note);
    }

    void CheckVersion(NuGetDirective reference, string package)
    {
        var have = VersionOf(package);
        var asked = reference.Version;
        if (have == null)
            throw new NotebookDirectiveException(
                $"line {reference.Line}: package '{reference.Package}'{(asked is null ? "" : $" {asked}")} is not one the workbook references, so the runner cannot load it. " +
                $"To use it, add <PackageVersion Include=\"{reference.Package}\" Version=\"{asked ?? "VERSION"}\" /> to Directory.Packages.props " +
                $"and <PackageReference Include=\"{reference.Package}\" /> to Lib.csproj (or tools/Workbook/Workbook.csproj), then run dotnet build Workbook.slnx.");
        if (asked != null && asked != "*" && !string.Equals(asked, have, StringComparison.OrdinalIgnoreCase))
            throw new NotebookDirectiveException(
                $"line {reference.Line}: package '{reference.Package}' version {asked} was asked for, but the workbook has {package} {have}. " +
                $"Change the line to #r \"nuget: {reference.Package}, {have}\", or change {package}'s version in Directory.Packages.props and rebuild.");
    }

    List<string> Closure(string package)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        var queue = new Queue<string>([package]);
        while (queue.Count > 0)
        {
            var next = queue.Dequeue();
            if (!seen.Add(next) || !packages.TryGetValue(next, out var p)) continue;
            names.AddRange(p.Assemblies);
            foreach (var d in p.Dependencies) queue.Enqueue(d);
        }
        return names;
    }
}

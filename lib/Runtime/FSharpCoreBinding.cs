using System.Reflection;
using System.Runtime.Loader;

namespace Workbook.Runtime;

/// <summary>
/// Lets the workbook's charts run inside the .NET Interactive kernel (Polyglot Notebooks).
/// </summary>
/// <remarks>
/// Plotly.NET 6.0.0, its DynamicObj 8 and Plotly.NET.CSharp 0.14.0 are built against FSharp.Core
/// 10.1 (assembly version 10.1.0.0), and no older release of them is served to this project. The
/// kernel (Microsoft.dotnet-interactive 1.0.712001, dotnet-repl 0.3.259) carries its own FSharp.Core
/// 10.0.0.0 in the default load context, so the runtime cannot load 10.1.0.0 beside it and every
/// chart failed with "Could not load file or assembly 'FSharp.Core, Version=10.1.0.0'". The runtime
/// then asks the default context's Resolving event; answering with the FSharp.Core already loaded
/// (same major version, so the same F# 10 API line) makes the charts work. Where the right
/// FSharp.Core is there (the workbook's runner, tests, CLI) the event is never raised for it.
/// Every chart of the six notebooks is checked in the kernel by tests/Workbook.Tests/KernelTests.cs.
/// </remarks>
public static class FSharpCoreBinding
{
    const string FSharpCore = "FSharp.Core";
    static int installed;

    /// <summary>How many requests for a newer FSharp.Core were answered with the loaded one.</summary>
    public static int Redirects { get; private set; }

    /// <summary>Adds the handler once per process (called by the library's module initializer).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    static Assembly? Resolve(AssemblyLoadContext context, AssemblyName wanted)
    {
        if (!string.Equals(wanted.Name, FSharpCore, StringComparison.Ordinal) || wanted.Version is not { } version) return null;
        var loaded = context.Assemblies.FirstOrDefault(a => a.GetName() is { Name: FSharpCore, Version: { } have }
                                                            && have.Major == version.Major && have < version);
        if (loaded != null) Redirects++;
        return loaded;
    }
}

using System.Runtime.InteropServices;

namespace Workbook.Runtime;

/// <summary>
/// libtorch's <c>at::globalContext()</c>, looked up once by its Itanium C++ name (exported by the Linux x64
/// builds), for the switches TorchSharp does not expose. Use only after libtorch is loaded
/// (<see cref="NativeRuntime.EnsureTorch"/>): the lookup finds the loaded libtorch_cpu by its soname.
/// </summary>
internal static unsafe class LibTorchContext
{
    static readonly Lazy<(IntPtr Library, IntPtr Context)> found = new(Find);

    static (IntPtr, IntPtr) Find()
    {
        var name = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (!NativeLibrary.TryLoad(name, out var lib) || !NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var globalContext))
            return (IntPtr.Zero, IntPtr.Zero);
        return (lib, ((delegate* unmanaged<IntPtr>)globalContext)());
    }

    /// <summary>The context and the member function exported as <paramref name="mangledName"/>; zeros where either is missing.</summary>
    public static (IntPtr Context, IntPtr Function) Member(string mangledName)
    {
        var (lib, context) = found.Value;
        return context != IntPtr.Zero && NativeLibrary.TryGetExport(lib, mangledName, out var function) ? (context, function) : (IntPtr.Zero, IntPtr.Zero);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Runtime;

/// <summary>
/// Keeps CPU convolutions correct where libtorch 2.10's oneDNN (mkldnn) kernels are not.
/// </summary>
/// <remarks>
/// On the AMD EPYC development machine (AVX-512), oneDNN convolutions whose channel counts do not fill
/// its 16-channel blocks (8 filters, 24 filters, 24 -> 8, 4 -> 8, ...) read the padding of their
/// blocked buffers without it being zeroed: with libtorch's allocator set to fill new memory with NaN
/// they return NaN every time; normally they return NaN now and then, or silently wrong numbers (the
/// weight gradient of a 1 -> 8 3x3 convolution off by 14%, the output of 24 -> 8 by 26%, measured
/// against the same convolution with oneDNN switched off). Convolutions whose input has one channel or
/// a multiple of 16, and whose output has a multiple of 16, agreed to 1e-6 in every shape the
/// workbook uses. So a model with any other convolution runs with oneDNN switched off (libtorch then
/// uses its im2col + GEMM kernels, which are correct and about 2x slower), and every other model keeps
/// oneDNN. environment.md, "oneDNN convolutions with unaligned channel counts", has the measurements.
/// </remarks>
public static class ConvolutionGuard
{
    /// <summary>Channels per oneDNN block (AVX-512: 16; AVX2 uses 8, and a multiple of 16 fills both).</summary>
    public const int Block = 16;

    /// <summary>
    /// True when <paramref name="model"/> runs on the CPU and has a convolution whose channel counts
    /// oneDNN would pad (input not 1 and not a multiple of 16, or output not a multiple of 16).
    /// </summary>
    public static bool NeedsPlainKernels(nn.Module model) =>
        // TorchSharp's modules() leaves out the module itself, which may be a convolution.
        !Compute.IsCuda && model.modules().Prepend(model).Any(IsUnaligned);

    static bool IsUnaligned(nn.Module module)
    {
        if (module is not TorchSharp.Modules.Convolution) return false;
        var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
        if (weight is null || weight.dim() < 3) return false;
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        return outChannels % Block != 0 || (inChannels != 1 && inChannels % Block != 0);
    }

    /// <summary>
    /// Switches oneDNN off while the returned scope lives when <paramref name="model"/> needs it
    /// (<see cref="NeedsPlainKernels"/>); otherwise does nothing. Forward and backward passes must both
    /// run inside the scope: libtorch picks the kernel of each pass when it runs.
    /// </summary>
    public static IDisposable For(nn.Module model) =>
        NeedsPlainKernels(model) ? new Scope() : NoScope.Instance;

    /// <summary>Whether libtorch may use oneDNN (at::globalContext().userEnabledMkldnn()); null where it cannot be read.</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            var (context, get, _) = Native.Value.Value;
            return get == IntPtr.Zero ? null : Native.Get(context, get);
        }
    }

    static bool warned;

    sealed class Scope : IDisposable
    {
        readonly bool? before = OneDnnEnabled;
        bool disposed;

        public Scope()
        {
            // Only Linux x64 exports the C++ names looked up below. Elsewhere say so once and go on: the
            // fault was seen on one CPU, and stopping every CNN notebook on other platforms would be worse.
            if (!Native.Set(false) && !warned)
            {
                warned = true;
                Console.Error.WriteLine(
                    "warning: this model has convolutions whose channel counts libtorch's oneDNN kernels computed wrongly " +
                    "on an AVX-512 CPU, and oneDNN cannot be switched off on this platform; check its results " +
                    "(environment.md, 'oneDNN convolutions with unaligned channel counts').");
            }
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Native.Set(before ?? true);
        }
    }

    sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    /// <summary>at::globalContext() and its userEnabledMkldnn / setUserEnabledMkldnn, looked up once (<see cref="LibTorchContext"/>).</summary>
    static unsafe class Native
    {
        public static readonly Lazy<(IntPtr Context, IntPtr Get, IntPtr Set)> Value = new(Find);

        static (IntPtr, IntPtr, IntPtr) Find()
        {
            NativeRuntime.EnsureTorch();
            var (context, get) = LibTorchContext.Member("_ZNK2at7Context17userEnabledMkldnnEv");
            var (_, set) = LibTorchContext.Member("_ZN2at7Context20setUserEnabledMkldnnEb");
            return get == IntPtr.Zero || set == IntPtr.Zero ? (IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) : (context, get, set);
        }

        public static bool Get(IntPtr context, IntPtr get) => ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0;

        public static bool Set(bool enabled)
        {
            var (context, _, set) = Value.Value;
            if (set == IntPtr.Zero) return false;
            ((delegate* unmanaged<IntPtr, byte, void>)set)(context, enabled ? (byte)1 : (byte)0);
            return true;
        }
    }
}

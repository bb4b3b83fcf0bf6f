using TorchSharp;

namespace Workbook.Runtime;

/// <summary>
/// The device every model trains on: CUDA when libtorch sees a GPU, else the CPU. WORKBOOK_DEVICE=cpu
/// (or cuda) overrides. Notebooks never name a device; they print <see cref="Description"/>.
/// </summary>
public static class Compute
{
    static torch.Device? device;

    /// <summary>The chosen device (decided once per process).</summary>
    public static torch.Device Device => device ??= Choose();

    /// <summary>True when training runs on a GPU.</summary>
    public static bool IsCuda => Device.type == DeviceType.CUDA;

    static torch.Device Choose()
    {
        NativeRuntime.EnsureTorch();
        var wanted = (Environment.GetEnvironmentVariable("WORKBOOK_DEVICE") ?? "").Trim().ToLowerInvariant();
        bool cuda = false;
        try { cuda = torch.cuda.is_available(); } catch (Exception) { /* CPU-only libtorch */ }
        if (wanted == "cuda" && !cuda)
            throw new InvalidOperationException("WORKBOOK_DEVICE=cuda, but libtorch sees no CUDA device. Build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU and driver, or unset WORKBOOK_DEVICE.");
        return wanted == "cpu" || !cuda ? torch.CPU : torch.CUDA;
    }

    /// <summary>A line for notebooks and logs, e.g. "cpu, 2 threads" or "cuda (1 GPU)".</summary>
    public static string Description => IsCuda
        ? $"cuda ({torch.cuda.device_count()} GPU{(torch.cuda.device_count() == 1 ? "" : "s")}{(ExternalLibTorch.Loaded?.GpuName is { } gpu ? ", " + gpu : "")})"
        : $"cpu, {torch.get_num_threads()} threads";
}

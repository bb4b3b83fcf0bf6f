using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Data;

/// <summary>
/// Random small rotations, shifts and zooms for a batch of images, as one batched affine warp
/// (affine_grid + grid_sample). The amounts follow Keras' ImageDataGenerator arguments that report
/// 002 describes ("slight rotations, width and height shifts, and zooming").
/// </summary>
/// <param name="RotationDegrees">Rotation drawn uniformly from [-r, r] degrees.</param>
/// <param name="Shift">Shift drawn uniformly from [-s, s] of the image size, per axis.</param>
/// <param name="Zoom">Scale drawn uniformly from [1 - z, 1 + z].</param>
public sealed record Augmentation(double RotationDegrees = 10, double Shift = 0.1, double Zoom = 0.1)
{
    /// <summary>How an augmented set's id records the step (after the source's id and a '|').</summary>
    public const string IdStep = "augment(";

    /// <summary>Whether a data set id includes an augmentation step.</summary>
    public static bool IsAugmented(string dataId) => dataId.Contains("|" + IdStep, StringComparison.Ordinal);

    /// <summary>A short description for run keys and tables.</summary>
    public override string ToString() => $"rot{RotationDegrees}-shift{Shift}-zoom{Zoom}";

    /// <summary>Warps a batch [N, C, H, W]; the generator makes it repeatable.</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        Tensor Uniform(double range) => rand(new long[] { n }, dtype: ScalarType.Float32, generator: generator).mul(2 * range).sub(range);
        var angle = Uniform(RotationDegrees * Math.PI / 180);
        var scale = Uniform(Zoom).add(1);
        // affine_grid maps output coordinates to input coordinates in [-1, 1]; a shift of s of the
        // image is 2s in those units.
        var tx = Uniform(Shift * 2);
        var ty = Uniform(Shift * 2);
        var cos = angle.cos().div(scale);
        var sin = angle.sin().div(scale);
        var theta = stack([stack([cos, sin.neg(), tx], 1), stack([sin, cos, ty], 1)], 1).to(images.device);
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        var warped = nn.functional.grid_sample(images, grid, mode: GridSampleMode.Bilinear,
            padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
        return warped.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Report 002's E6 scheme: the original training set plus one augmented copy of every image
    /// (the data set doubles), drawn with <paramref name="seed"/>.
    /// </summary>
    public Dataset Expand(Dataset data, int seed, int batch = 4096)
    {
        using var generator = new Generator((ulong)seed);
        var parts = new List<Tensor>();
        for (int start = 0; start < data.Count; start += batch)
        {
            int len = Math.Min(batch, data.Count - start);
            using var slice = data.Images.narrow(0, start, len);
            parts.Add(Apply(slice, generator));
        }
        var augmented = new Dataset(cat(parts, 0), data.Labels.clone(), data.ClassNames, "augmented");
        foreach (var p in parts) p.Dispose();
        try { return data.Concat(augmented, $"{IdStep}{this},seed={seed})"); }
        finally
        {
            // The copy lives on inside the joined set: free it now rather than when the GC gets to it.
            augmented.Images.Dispose();
            augmented.Labels.Dispose();
        }
    }
}

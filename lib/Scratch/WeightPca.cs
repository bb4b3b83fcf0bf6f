using TorchSharp;
using Workbook.Reporting;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>How PCA scores are scaled before the report's clip to [-1, 1].</summary>
public enum PcaScaling
{
    /// <summary>
    /// Each component divided by twice its standard deviation over the pixels, so about 95% of
    /// pixels fall inside the clip. The picture then shows the pattern whatever the weights' overall
    /// scale (which depends on the initialisation and grows in training). The default.
    /// </summary>
    Standardized,
    /// <summary>
    /// The report's recipe taken literally: scores clipped as they are. With He-initialised
    /// 784-input layers the scores are about +-0.1, so the picture is nearly uniform grey until
    /// training has grown the weights.
    /// </summary>
    Raw,
}

/// <summary>
/// The report's weight picture: the first layer's weight matrix [784 pixels, H units] is treated as
/// 784 points in H dimensions, projected on its top 3 principal components, clipped to [-1, 1],
/// mapped to [0, 1] by (s + 1) / 2 and shown as a 28x28 RGB image (component k = colour channel k).
/// </summary>
public static class WeightPca
{
    /// <summary>The picture of a snapshot as float[inputs * 3], channel-last RGB in [0, 1], for <see cref="ImageGrid.AddRgb"/>.</summary>
    public static float[] ToRgb(WeightSnapshot snapshot, PcaScaling scaling = PcaScaling.Standardized) =>
        ToRgb(snapshot.Values, snapshot.Inputs, snapshot.Outputs, scaling);

    /// <summary>
    /// The picture of a weight matrix given row-major as [inputs, outputs]. Each component's sign is
    /// fixed so that its largest-magnitude score is positive (an SVD may return either sign), which
    /// keeps colours from flipping at random between snapshots.
    /// </summary>
    public static float[] ToRgb(float[] weights, int inputs, int outputs, PcaScaling scaling = PcaScaling.Standardized)
    {
        if (weights.Length != inputs * outputs) throw new ArgumentException($"{weights.Length} weights do not make a [{inputs}, {outputs}] matrix");
        using var scope = NewDisposeScope();
        var w = tensor(weights, [inputs, outputs]).to_type(ScalarType.Float64);
        var centred = w - w.mean([0], keepdim: true); // PCA centres the points: each unit's mean over the pixels
        var scores = TopComponents(centred, 3);
        if (scores.shape[1] < 3) scores = nn.functional.pad(scores, [0, 3 - scores.shape[1]]); // fewer than 3 units: black channels
        var peak = scores.gather(0, scores.abs().argmax(0, keepdim: true));
        scores = scores * peak.sign().masked_fill(peak.eq(0), 1);
        if (scaling == PcaScaling.Standardized)
        {
            var spread = scores.std(0, keepdim: true) * 2;
            scores = scores / spread.masked_fill(spread.eq(0), 1);
        }
        var rgb = scores.clamp(-1, 1).add(1).div(2).to_type(ScalarType.Float32);
        return rgb.data<float>().ToArray();
    }

    /// <summary>
    /// Scores of the rows of a centred matrix on its top k principal directions: U_k S_k from a thin
    /// SVD. Kept private and minimal so it can be swapped for the general PCA in lib/Analysis.
    /// </summary>
    static Tensor TopComponents(Tensor centred, int k)
    {
        var (u, s, _) = linalg.svd(centred, fullMatrices: false);
        int keep = (int)Math.Min(k, s.shape[0]);
        return u.narrow(1, 0, keep) * s.narrow(0, 0, keep);
    }

    /// <summary>A grid of the pictures of several snapshots, captioned with their labels (square inputs only, e.g. 784 = 28x28).</summary>
    public static ImageGrid Grid(IEnumerable<WeightSnapshot> snapshots, PcaScaling scaling = PcaScaling.Standardized, string? title = null, int scale = 4)
    {
        var list = snapshots.ToList();
        var grid = new ImageGrid(title ?? "First-layer weights, PCA to 3 channels", columns: Math.Max(1, list.Count), scale: scale);
        foreach (var s in list)
        {
            int side = (int)Math.Round(Math.Sqrt(s.Inputs));
            if (side * side != s.Inputs) throw new ArgumentException($"{s.Inputs} inputs are not a square image");
            grid.AddRgb(ToRgb(s, scaling), side, side, s.Label);
        }
        return grid;
    }
}

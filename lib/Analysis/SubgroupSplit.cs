using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>
/// Whether one class's points split into two sub-groups. <see cref="Silhouette"/> is the mean silhouette of
/// a 2-means split of the points; <see cref="NullSilhouettes"/> the same for samples of a single Gaussian with
/// the class's own mean and covariance (what 2-means finds when there is no split). The points split when
/// the silhouette exceeds every null draw by <see cref="Margin"/>. <see cref="Rows"/> are the rows of the input
/// that were tested (all of them, or a seeded subsample), in order; <see cref="Assignment"/> gives each one's group.
/// </summary>
public sealed record SubgroupSplitResult(int Points, int[] Rows, int[] Assignment, int[] Sizes, double Silhouette, double[] NullSilhouettes, double Margin,
    double? FineLabelAdjustedRand, double FineLabelThreshold)
{
    /// <summary>True when the split is clearer than any split of the structureless null.</summary>
    public bool SplitsBeyondNull => Silhouette > NullSilhouettes.Max() + Margin;
    /// <summary>True when fine labels were given and the 2-way split recovers them (adjusted Rand at least the threshold); null without fine labels.</summary>
    public bool? SeparatesFineLabels => FineLabelAdjustedRand is { } ari ? ari >= FineLabelThreshold : null;
    /// <summary>A one-line account, e.g. "2-means silhouette 0.41 vs null at most 0.12: splits".</summary>
    public string Describe() =>
        $"{Points} points, 2-means sizes {string.Join("/", Sizes)}, silhouette {Silhouette:0.000} vs null at most {NullSilhouettes.Max():0.000} " +
        $"(margin {Margin}): {(SplitsBeyondNull ? "splits" : "no split beyond the null")}" +
        (FineLabelAdjustedRand is { } a ? $"; adjusted Rand with the fine labels {a:0.000} ({(SeparatesFineLabels == true ? "separates them" : "does not separate them")})" : "");
}

/// <summary>
/// A test of "this class splits into two sub-groups" that a single blob fails: a 2-means split always
/// exists, so its silhouette is compared with the silhouettes 2-means gets on Gaussian samples of the same
/// mean and covariance (no sub-groups, same spread and shape), and optionally with fine labels.
/// </summary>
public static class SubgroupSplit
{
    /// <summary>
    /// Tests the rows of <paramref name="x"/> [N, D] (one class's points). At most <paramref name="maxPoints"/>
    /// rows are used (a seeded subsample; the silhouette needs all pairwise distances).
    /// <paramref name="fineLabels"/> (optional, one per row) are finer labels the split may recover.
    /// </summary>
    public static SubgroupSplitResult Test(Tensor x, int[]? fineLabels = null, int nullDraws = 10, double margin = 0.02,
        double fineLabelThreshold = 0.5, int maxPoints = 2000, int seed = 0)
    {
        if (x.dim() != 2) throw new ArgumentException($"x must be [N, D], got [{string.Join(", ", x.shape)}]");
        long n = x.shape[0];
        if (n < 4) throw new ArgumentException($"need at least 4 points to look for two sub-groups, got {n}");
        if (fineLabels is not null && fineLabels.Length != n) throw new ArgumentException($"{fineLabels.Length} fine labels for {n} points: give one per row");
        if (nullDraws < 1) throw new ArgumentException("nullDraws must be at least 1");
        using var scope = NewDisposeScope();
        var data = x.to_type(ScalarType.Float64);
        var rows = Enumerable.Range(0, (int)n).ToArray();
        if (n > maxPoints)
        {
            var keep = Data.Dataset.Permutation((int)n, seed).Take(maxPoints).Order().ToArray();
            rows = keep.Select(i => (int)i).ToArray();
            data = data.index_select(0, tensor(keep));
            if (fineLabels is not null) fineLabels = keep.Select(i => fineLabels[i]).ToArray();
            n = maxPoints;
        }
        var (assignment, silhouette) = SplitInTwo(data, seed);
        var sizes = new[] { assignment.Count(a => a == 0), assignment.Count(a => a == 1) };

        // Null: Z [n, n] standard normal times the centred data / sqrt(n - 1) has exactly the sample covariance.
        var mean = data.mean([0], keepdim: true);
        var centred = (data - mean) / Math.Sqrt(n - 1);
        var generator = new TorchSharp.torch.Generator((ulong)seed + 1);
        var nulls = new double[nullDraws];
        for (int d = 0; d < nullDraws; d++)
        {
            using var inner = NewDisposeScope();
            var z = randn([n, n], ScalarType.Float64, generator: generator);
            nulls[d] = SplitInTwo(z.mm(centred) + mean, seed + 100 + d).Silhouette;
        }
        double? ari = fineLabels is null ? null : ClusterMetrics.AdjustedRandIndex(assignment, fineLabels);
        return new SubgroupSplitResult((int)n, rows, assignment, sizes, silhouette, nulls, margin, ari, fineLabelThreshold);
    }

    static (int[] Assignment, double Silhouette) SplitInTwo(Tensor data, int seed)
    {
        var fit = KMeans.Fit(data, 2, restarts: 4, seed: seed);
        return (fit.Labels, MeanSilhouette(data, fit.Labels));
    }

    /// <summary>Mean silhouette (b - a) / max(a, b) of a labelling, a and b the mean distances to the own and nearest other group.</summary>
    public static double MeanSilhouette(Tensor data, int[] labels)
    {
        using var scope = NewDisposeScope();
        var x = data.to_type(ScalarType.Float64);
        var distances = cdist(x, x);
        int groups = labels.Max() + 1;
        if (groups < 2) return 0;
        var oneHot = nn.functional.one_hot(tensor(labels.Select(l => (long)l).ToArray()), groups).to_type(ScalarType.Float64);
        var sums = distances.mm(oneHot);                        // [n, groups]: total distance to each group
        var counts = oneHot.sum([0]).data<double>().ToArray();
        var s = sums.data<double>().ToArray();
        double total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int own = labels[i];
            if (counts[own] <= 1) continue; // a singleton's silhouette is 0 by convention
            double a = s[i * groups + own] / (counts[own] - 1);
            double b = Enumerable.Range(0, groups).Where(g => g != own && counts[g] > 0).Min(g => s[i * groups + g] / counts[g]);
            total += (b - a) / Math.Max(a, b);
        }
        return total / labels.Length;
    }
}

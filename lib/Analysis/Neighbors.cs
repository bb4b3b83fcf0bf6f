using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>
/// Pairwise distances and nearest neighbours, computed a block of rows at a time so that no
/// [N, N] matrix is ever held: for N = 10,000 a full float64 distance matrix would be 800 MB.
/// All distances are Euclidean and computed in float64, so results do not depend on float32
/// rounding near a threshold (DBSCAN's eps) and ties break the same way on every run.
/// </summary>
public static class Neighbors
{
    /// <summary>
    /// Rows per block so that one [rows, n] float64 block stays near 64 MB
    /// (8M elements; a few temporaries of that size live at once).
    /// </summary>
    internal static int BlockRows(long n, long elementBudget = 8_000_000) =>
        (int)Math.Clamp(elementBudget / Math.Max(n, 1), 1, Math.Max(n, 1));

    /// <summary>
    /// Squared Euclidean distances between the rows of <paramref name="a"/> [B, D] and
    /// <paramref name="b"/> [M, D], both float64, as ||a||^2 + ||b||^2 - 2 a.b (one matrix product,
    /// which is what makes the blocks fast), clamped at 0 against rounding. Written into
    /// <paramref name="into"/> [B, M] when given: callers that loop reuse one buffer, because
    /// allocating a fresh multi-megabyte tensor per block or per iteration often cost more than the
    /// arithmetic on the 2-core machine (exact t-SNE's step at 1,000 points: 19-60 ms with fresh
    /// tensors, 3-12 ms in reused ones). <paramref name="aSquaredNorms"/> [B], when given, saves
    /// recomputing the rows' norms (k-means assigns the same points every iteration).
    /// </summary>
    internal static Tensor SquaredDistances(Tensor a, Tensor b, Tensor bSquaredNorms, Tensor? into = null, Tensor? aSquaredNorms = null)
    {
        using var aa = aSquaredNorms is null ? a.pow(2).sum(1, keepdim: true) : aSquaredNorms.unsqueeze(1);
        var result = into ?? empty(a.shape[0], b.shape[0], dtype: ScalarType.Float64);
        result.copy_(bSquaredNorms.unsqueeze(0).expand(a.shape[0], b.shape[0]));
        result.add_(aa);
        return result.addmm_(a, b.t(), beta: 1, alpha: -2).clamp_min_(0);
    }

    /// <summary>The input as a contiguous float64 [N, D] tensor on the CPU (a copy when it was not one).</summary>
    internal static Tensor AsFloat64Matrix(Tensor x, string name = "x")
    {
        if (x.dim() != 2) throw new ArgumentException($"{name} must be a 2-D tensor [N, D], got [{string.Join(",", x.shape)}]");
        if (x.shape[0] == 0) throw new ArgumentException($"{name} has no rows");
        return x.detach().to(ScalarType.Float64, torch.CPU).contiguous();
    }

    /// <summary>
    /// The <paramref name="k"/> nearest neighbours of every row of <paramref name="x"/> [N, D],
    /// excluding the row itself (a duplicate point is still a neighbour, at distance 0).
    /// Returns indices [N, k] int64 and Euclidean distances [N, k] float64, nearest first.
    /// </summary>
    public static (Tensor Indices, Tensor Distances) KNearest(Tensor x, int k)
    {
        using var outer = NewDisposeScope();
        var data = AsFloat64Matrix(x);
        long n = data.shape[0];
        if (k < 1 || k > n - 1) throw new ArgumentOutOfRangeException(nameof(k), $"k must be between 1 and N-1 = {n - 1}, got {k}");
        var norms = data.pow(2).sum(1);
        int block = BlockRows(n);
        var buffer = empty(Math.Min(block, n), n, dtype: ScalarType.Float64);
        var indices = new List<Tensor>();
        var distances = new List<Tensor>();
        for (long start = 0; start < n; start += block)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(n, start + block);
            var d2 = SquaredDistances(data.narrow(0, start, end - start), data, norms, buffer.narrow(0, 0, end - start));
            // The row itself must not count as its own neighbour: put it out of reach.
            var rows = arange(end - start, ScalarType.Int64);
            d2.index_put_(double.PositiveInfinity, rows, rows + start);
            var (values, idx) = d2.topk(k, dim: 1, largest: false, sorted: true);
            indices.Add(idx.MoveToOuterDisposeScope());
            distances.Add(values.sqrt_().MoveToOuterDisposeScope());
        }
        var allIdx = cat(indices, 0);
        var allDist = cat(distances, 0);
        return (allIdx.MoveToOuterDisposeScope(), allDist.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// For each point, the fraction of its <paramref name="k"/> nearest neighbours in
    /// <paramref name="x"/> that carry the same label, averaged over all points. 1 means every
    /// neighbourhood is pure; a t-SNE embedding of well-separated classes should score near 1.
    /// </summary>
    public static double SameLabelFraction(Tensor x, int[] labels, int k = 10)
    {
        if (labels.Length != x.shape[0]) throw new ArgumentException($"{labels.Length} labels for {x.shape[0]} points");
        var (idx, dist) = KNearest(x, k);
        using (idx)
        using (dist)
        {
            var flat = idx.data<long>().ToArray();
            long same = 0;
            for (int i = 0; i < labels.Length; i++)
                for (int j = 0; j < k; j++)
                    if (labels[flat[(long)i * k + j]] == labels[i]) same++;
            return same / (double)((long)labels.Length * k);
        }
    }
}

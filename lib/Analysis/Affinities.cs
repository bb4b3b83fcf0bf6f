using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>Row-stochastic Gaussian affinities calibrated to a perplexity, with what the calibration reached.</summary>
/// <param name="P">Conditional probabilities p(j | i), float64, same shape as the distances; each row sums to 1.</param>
/// <param name="Beta">Precision 1 / (2 sigma_i^2) found for each row, float64 [N].</param>
/// <param name="Entropy">Shannon entropy of each row in nats, float64 [N]; the target is ln(perplexity).</param>
public sealed record Calibration(Tensor P, Tensor Beta, Tensor Entropy) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        P.Dispose();
        Beta.Dispose();
        Entropy.Dispose();
    }
}

/// <summary>
/// The input side of t-SNE: Gaussian affinities p(j | i) = exp(-beta_i d_ij^2) / sum_k exp(-beta_i d_ik^2),
/// with each beta_i found by bisection so that the row's entropy equals ln(perplexity)
/// (van der Maaten and Hinton 2008), then symmetrised into a joint distribution.
/// </summary>
public static class Affinities
{
    /// <summary>
    /// Calibrates every row of <paramref name="squaredDistances"/> [N, M] (float64; an entry of +inf
    /// marks a pair to leave out, such as a point and itself) to the perplexity, all rows at once.
    /// The search is scikit-learn's: start at beta = 1, double (or halve) until the target entropy is
    /// bracketed, then bisect, for at most <paramref name="maxSteps"/> steps or until every row is
    /// within <paramref name="tolerance"/> nats.
    /// </summary>
    public static Calibration Calibrate(Tensor squaredDistances, double perplexity, double tolerance = 1e-5, int maxSteps = 100)
    {
        if (squaredDistances.dim() != 2) throw new ArgumentException("squared distances must be [N, M]");
        if (perplexity <= 0) throw new ArgumentOutOfRangeException(nameof(perplexity), "must be positive");
        using var scope = NewDisposeScope();
        var d = squaredDistances.to(ScalarType.Float64);
        long n = d.shape[0];
        var valid = d.isfinite();
        // Shifting each row by its smallest distance changes no probability but keeps exp() from
        // underflowing to an all-zero row when distances are large.
        var rowMin = where(valid, d, full_like(d, double.PositiveInfinity)).amin([1L], keepdim: true);
        var shifted = where(valid, d - rowMin, zeros_like(d));
        var mask = valid.to(ScalarType.Float64);

        double target = Math.Log(perplexity);
        var beta = ones(n, 1, dtype: ScalarType.Float64);
        var lo = zeros(n, 1, dtype: ScalarType.Float64);
        var hi = full(n, 1, double.PositiveInfinity, dtype: ScalarType.Float64);
        // Two [N, M] buffers reused by every step (in-place arithmetic): fresh ones for each of up
        // to 100 steps often cost more than the arithmetic itself.
        var p = empty_like(shifted);
        var work = empty_like(shifted);
        Tensor entropy = null!;
        for (int step = 0; ; step++)
        {
            using var inner = NewDisposeScope();
            // exp(-beta d), floored at e^-230 (1e-100): weights that small change nothing, and the
            // floor keeps subnormal numbers, which x86 CPUs process very slowly, out of P.
            p.copy_(shifted).mul_(beta).neg_().clamp_min_(-230).exp_().mul_(mask);
            var sum = p.sum(1, keepdim: true);
            p.div_(sum);
            // H = -sum p ln p = ln(sum) + beta * sum p d (with the shifted distances).
            entropy = sum.log_().add_(beta * work.copy_(p).mul_(shifted).sum(1, keepdim: true));
            var diff = entropy - target;
            var open = diff.abs() > tolerance;
            if (step == maxSteps - 1 || !open.any().item<bool>())
            {
                entropy.MoveToOuterDisposeScope();
                break;
            }
            // Too much entropy: the Gaussian is too wide, so beta must grow; too little: shrink it.
            var grow = open & (diff > 0);
            var shrink = open & (diff < 0);
            var newLo = where(grow, beta, lo);
            var newHi = where(shrink, beta, hi);
            var up = where(hi.isinf(), beta * 2, (beta + hi) / 2);
            var down = (beta + lo) / 2; // lo starts at 0, so this halves until bracketed
            var newBeta = where(grow, up, where(shrink, down, beta));
            lo.copy_(newLo);
            hi.copy_(newHi);
            beta.copy_(newBeta);
        }
        return new Calibration(p.MoveToOuterDisposeScope(), beta.squeeze(1).MoveToOuterDisposeScope(), entropy.squeeze(1).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Sparse joint affinities for Barnes-Hut t-SNE: each point's conditional distribution over its
    /// k = min(N - 1, floor(3 * perplexity) + 1) nearest neighbours (as scikit-learn), then
    /// P = (P_cond + P_cond^T) / sum, stored by row. Memory is O(N k), never N^2.
    /// </summary>
    internal static SparseAffinities Sparse(Tensor x, double perplexity)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        int k = (int)Math.Min(n - 1, Math.Floor(3 * perplexity) + 1);
        var (indices, distances) = Neighbors.KNearest(x, k);
        using var calibration = Calibrate(distances.pow(2), perplexity);
        var neighbours = indices.data<long>().ToArray();
        var conditional = calibration.P.data<double>().ToArray();
        return SparseAffinities.Symmetrise((int)n, k, neighbours, conditional);
    }

    /// <summary>
    /// Dense joint affinities for exact t-SNE, float64 [N, N]: every row calibrated over all other
    /// points, a block of rows at a time (so only the result itself is N^2), then
    /// P = (P_cond + P_cond^T) / (2N).
    /// </summary>
    internal static Tensor Dense(Tensor data, double perplexity)
    {
        using var outer = NewDisposeScope();
        long n = data.shape[0];
        var norms = data.pow(2).sum(1);
        var p = zeros(n, n, dtype: ScalarType.Float64);
        int block = Neighbors.BlockRows(n);
        var buffer = empty(Math.Min(block, n), n, dtype: ScalarType.Float64);
        for (long start = 0; start < n; start += block)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(block, n - start);
            var d2 = Neighbors.SquaredDistances(data.narrow(0, start, rows), data, norms, buffer.narrow(0, 0, rows));
            var r = arange(rows, ScalarType.Int64);
            d2.index_put_(double.PositiveInfinity, r, r + start);
            using var calibration = Calibrate(d2, perplexity);
            p.narrow(0, start, rows).copy_(calibration.P);
        }
        // P + P^T in place: the transpose must be materialised first, since p's storage is being written.
        p.add_(p.t().contiguous()).div_(2.0 * n);
        return p.MoveToOuterDisposeScope();
    }
}

/// <summary>A symmetric sparse joint distribution P in compressed-row form (row i's entries are Columns[RowStart[i]..RowStart[i+1]]).</summary>
internal sealed class SparseAffinities
{
    public required int[] RowStart { get; init; }
    public required int[] Columns { get; init; }
    public required double[] Values { get; init; }
    public int Count => RowStart.Length - 1;

    /// <summary>P_ij = (p(j|i) + p(i|j)) / sum over all entries, merging the pairs found from both ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SparseAffinities Symmetrise(int n, int k, long[] neighbours, double[] conditional)
    {
        // Every directed entry (i, j, p) goes to row i and its mirror (j, i, p) to row j; the
        // duplicates that arise when i and j are each other's neighbours are summed afterwards.
        var counts = new int[n + 1];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
            {
                counts[i + 1]++;
                counts[neighbours[(long)i * k + a] + 1]++;
            }
        for (int i = 0; i < n; i++) counts[i + 1] += counts[i];
        var fill = (int[])counts.Clone();
        var cols = new int[counts[n]];
        var vals = new double[counts[n]];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
            {
                int j = (int)neighbours[(long)i * k + a];
                double v = conditional[(long)i * k + a];
                cols[fill[i]] = j; vals[fill[i]++] = v;
                cols[fill[j]] = i; vals[fill[j]++] = v;
            }

        var rowStart = new int[n + 1];
        var outCols = new List<int>(cols.Length);
        var outVals = new List<double>(cols.Length);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            int s = counts[i], e = counts[i + 1];
            Array.Sort(cols, vals, s, e - s);
            for (int t = s; t < e; t++)
            {
                if (outCols.Count > rowStart[i] && outCols[^1] == cols[t]) outVals[^1] += vals[t];
                else { outCols.Add(cols[t]); outVals.Add(vals[t]); }
                total += vals[t];
            }
            rowStart[i + 1] = outCols.Count;
        }
        var values = outVals.ToArray();
        for (int t = 0; t < values.Length; t++) values[t] /= total;
        return new SparseAffinities { RowStart = rowStart, Columns = outCols.ToArray(), Values = values };
    }
}

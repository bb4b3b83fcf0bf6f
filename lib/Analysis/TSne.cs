using System.Diagnostics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>How t-SNE places the points before optimising.</summary>
public enum TSneInit
{
    /// <summary>The first principal components, scaled so the first has standard deviation 1e-4 (scikit-learn's default since 1.2): keeps global structure and needs no seed.</summary>
    Pca,
    /// <summary>Seeded Gaussian noise with standard deviation 1e-4 (the original paper's initialisation).</summary>
    Random,
}

/// <summary>How t-SNE computes its gradient.</summary>
public enum TSneMethod
{
    /// <summary>Exact up to <see cref="TSne.ExactUpTo"/> points (or for more than 3 output dimensions), Barnes-Hut above.</summary>
    Auto,
    /// <summary>All N^2 pairs, on tensors, in row blocks. Dense P (N^2 float64) is kept in memory.</summary>
    Exact,
    /// <summary>Sparse P over the 3 * perplexity nearest neighbours, repulsion through a space-partitioning tree (1 to 3 output dimensions).</summary>
    BarnesHut,
}

/// <summary>Settings of <see cref="TSne.Fit"/>; the defaults are scikit-learn's.</summary>
public sealed record TSneOptions
{
    /// <summary>Output dimensions (2 for scatter plots).</summary>
    public int Dimensions { get; init; } = 2;
    /// <summary>Effective number of neighbours each point's Gaussian covers; must be below N - 1. Typical 5 to 50.</summary>
    public double Perplexity { get; init; } = 30;
    /// <summary>Total gradient steps, the early-exaggeration ones included.</summary>
    public int Iterations { get; init; } = 1000;
    /// <summary>Seed of the random initialisation (the only random choice; PCA initialisation needs none).</summary>
    public int Seed { get; init; }
    /// <summary>Initial layout.</summary>
    public TSneInit Init { get; init; } = TSneInit.Pca;
    /// <summary>
    /// Step size; null means "auto", max(N / Exaggeration / 4, 50) (Belkina et al. 2019, as scikit-learn).
    /// In scikit-learn's convention: the gradient includes its factor 4, so values are 4 times smaller
    /// than bhtsne's or openTSNE's for the same step.
    /// </summary>
    public double? LearningRate { get; init; }
    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> steps, which lets clusters form before they settle.</summary>
    public double Exaggeration { get; init; } = 12;
    /// <summary>Length of the early-exaggeration phase (also when the momentum switches from 0.5 to 0.8).</summary>
    public int ExaggerationIterations { get; init; } = 250;
    /// <summary>Gradient method.</summary>
    public TSneMethod Method { get; init; } = TSneMethod.Auto;
    /// <summary>Barnes-Hut accuracy: a cell narrower than Theta times its distance is summarised. 0.5 as scikit-learn; lower is slower and more exact.</summary>
    public double Theta { get; init; } = 0.5;
    /// <summary>How often (in iterations) the KL divergence is measured, recorded and reported.</summary>
    public int ProgressEvery { get; init; } = 50;
    /// <summary>
    /// Called with (iteration, KL divergence) every <see cref="ProgressEvery"/> iterations (the KL of
    /// the layout that iteration started from, against the un-exaggerated P) and once at the end.
    /// </summary>
    public Action<int, double>? Progress { get; init; }
}

/// <summary>A t-SNE embedding and how it was obtained.</summary>
public sealed class TSneResult
{
    /// <summary>The embedding, [N, Dimensions], one row per input point in input order.</summary>
    public required float[,] Embedding { get; init; }
    /// <summary>KL(P || Q) of the final embedding (for Barnes-Hut: over the sparse P, with the tree's estimate of the normaliser).</summary>
    public required double KlDivergence { get; init; }
    /// <summary>(iteration, KL) as measured every <see cref="TSneOptions.ProgressEvery"/> iterations; always KL against the un-exaggerated P.</summary>
    public required IReadOnlyList<(int Iteration, double Kl)> KlHistory { get; init; }
    /// <summary>Gradient steps taken.</summary>
    public required int Iterations { get; init; }
    /// <summary>The method that ran (Auto resolved).</summary>
    public required TSneMethod Method { get; init; }
    /// <summary>The learning rate used ("auto" resolved).</summary>
    public required double LearningRate { get; init; }
    /// <summary>Wall-clock time of the whole fit, affinities included.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>One output coordinate of every point, e.g. Column(0) and Column(1) for a scatter plot.</summary>
    public double[] Column(int dimension)
    {
        var values = new double[Embedding.GetLength(0)];
        for (int i = 0; i < values.Length; i++) values[i] = Embedding[i, dimension];
        return values;
    }

    /// <summary>The embedding as a float32 tensor [N, Dimensions].</summary>
    public Tensor ToTensor() => tensor(Embedding);
}

/// <summary>
/// t-distributed stochastic neighbour embedding (van der Maaten and Hinton 2008; Barnes-Hut:
/// van der Maaten 2014), written for this workbook on TorchSharp tensors and plain arrays.
/// Optimisation follows van der Maaten's reference code: gradient descent with momentum 0.5 during
/// early exaggeration and 0.8 after, per-coordinate gains (+0.2 when the gradient changes sign
/// against the last step, x0.8 otherwise, floor 0.01), the embedding re-centred after every step.
/// Every run with the same inputs and options gives the same embedding on the CPU.
/// <para>
/// Exact is O(N^2) per step and keeps a dense N x N P; Barnes-Hut is O(N log N) per step with a
/// sparse P (memory O(N k)). Measured on the shared 2-core CPU machine with Fashion-MNIST test
/// images reduced to 256 dimensions, 1000 iterations, perplexity 30, OMP_WAIT_POLICY=PASSIVE,
/// while other jobs kept the load average at 6-16 (an idle machine should be faster):
/// exact vs Barnes-Hut 2.5 vs 4.1 s at 500 points, 9.6 vs 8.8 s at 1,000, 39 vs 24 s at 2,000;
/// Barnes-Hut 66 s at 5,000 (39 CPU-seconds) and 138 s at 10,000 (84 CPU-seconds; scikit-learn
/// 1.2.1 took 90 s on the same data at the same time and reached the same KL, 1.575).
/// </para>
/// </summary>
public static class TSne
{
    /// <summary>
    /// Largest N for which <see cref="TSneMethod.Auto"/> runs the exact gradient: measured, exact and
    /// Barnes-Hut cost the same at 1,000 points; below, exact is cheaper and its gradient has no
    /// approximation; above, its N^2 cost takes over.
    /// </summary>
    public const int ExactUpTo = 1000;

    /// <summary>Embeds the rows of <paramref name="x"/> [N, D] into <see cref="TSneOptions.Dimensions"/> dimensions.</summary>
    public static TSneResult Fit(Tensor x, TSneOptions? options = null)
    {
        var o = options ?? new TSneOptions();
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var data = Neighbors.AsFloat64Matrix(x);
        int n = (int)data.shape[0];
        int dim = o.Dimensions;
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(options), "Dimensions must be at least 1");
        if (n < 3) throw new ArgumentException("t-SNE needs at least 3 points");
        if (o.Perplexity <= 0 || o.Perplexity >= n - 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Perplexity must be between 0 and N - 1 = {n - 1}, got {o.Perplexity}");
        if (o.Iterations < 1) throw new ArgumentOutOfRangeException(nameof(options), "Iterations must be at least 1");
        if (o.ProgressEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), "ProgressEvery must be at least 1");
        if (o.Init == TSneInit.Pca && data.shape[1] < dim)
            throw new ArgumentException($"PCA initialisation needs at least {dim} input dimensions; use TSneInit.Random");

        var method = o.Method switch
        {
            TSneMethod.Auto => n <= ExactUpTo || dim > 3 ? TSneMethod.Exact : TSneMethod.BarnesHut,
            TSneMethod.BarnesHut when dim > 3 => throw new ArgumentException("Barnes-Hut t-SNE supports at most 3 output dimensions; use Exact"),
            var m => m,
        };
        double learningRate = o.LearningRate ?? Math.Max(n / o.Exaggeration / 4, 50);

        using Gradient gradient = method == TSneMethod.Exact
            ? new ExactGradient(Affinities.Dense(data, o.Perplexity), n, dim)
            : new BarnesHutGradient(Affinities.Sparse(data, o.Perplexity), n, dim, o.Theta);

        var y = Initialise(data, o, n, dim);
        var update = new double[y.Length];
        var gains = new double[y.Length];
        Array.Fill(gains, 1.0);
        var grad = new double[y.Length];
        var history = new List<(int, double)>();

        for (int it = 0; it < o.Iterations; it++)
        {
            bool early = it < o.ExaggerationIterations;
            bool measure = (it + 1) % o.ProgressEvery == 0;
            double kl = gradient.Compute(y, early ? o.Exaggeration : 1, grad, measure);
            Step(y, grad, update, gains, early ? 0.5 : 0.8, learningRate, n, dim);
            if (measure)
            {
                history.Add((it + 1, kl));
                o.Progress?.Invoke(it + 1, kl);
            }
        }
        double finalKl = gradient.Compute(y, 1, grad, measureKl: true);
        if (history.Count == 0 || history[^1].Item1 != o.Iterations)
        {
            history.Add((o.Iterations, finalKl));
            o.Progress?.Invoke(o.Iterations, finalKl);
        }

        var embedding = new float[n, dim];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++) embedding[i, k] = (float)y[i * dim + k];
        return new TSneResult
        {
            Embedding = embedding,
            KlDivergence = finalKl,
            KlHistory = history,
            Iterations = o.Iterations,
            Method = method,
            LearningRate = learningRate,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>Starting layout, row-major n x dim, with standard deviation 1e-4 (of the first coordinate, for PCA).</summary>
    static double[] Initialise(Tensor data, TSneOptions o, int n, int dim)
    {
        var y = new double[n * dim];
        if (o.Init == TSneInit.Pca)
        {
            using var pca = Pca.Fit(data, dim);
            using var projected = pca.Transform(data);
            var values = projected.data<double>().ToArray();
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += values[i * dim];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (values[i * dim] - mean) * (values[i * dim] - mean);
            double std = Math.Sqrt(sq / n);
            double scale = std > 0 ? 1e-4 / std : 1;
            for (int e = 0; e < y.Length; e++) y[e] = values[e] * scale;
        }
        else
        {
            var rng = new Random(o.Seed);
            for (int e = 0; e < y.Length; e++) y[e] = 1e-4 * Gaussian(rng);
        }
        return y;
    }

    /// <summary>A standard normal draw (Box-Muller), so the initialisation depends only on System.Random's seeded sequence.</summary>
    internal static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // in (0, 1], so the log is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>One momentum step with delta-bar-delta gains, then re-centring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Step(double[] y, double[] grad, double[] update, double[] gains, double momentum, double learningRate, int n, int dim)
    {
        for (int e = 0; e < y.Length; e++)
        {
            // Gains grow where the gradient points against the last step's direction (we are still
            // travelling downhill) and shrink where the step overshot.
            gains[e] = Math.Sign(grad[e]) != Math.Sign(update[e]) ? gains[e] + 0.2 : gains[e] * 0.8;
            if (gains[e] < 0.01) gains[e] = 0.01;
            update[e] = momentum * update[e] - learningRate * gains[e] * grad[e];
            y[e] += update[e];
        }
        for (int k = 0; k < dim; k++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += y[i * dim + k];
            mean /= n;
            for (int i = 0; i < n; i++) y[i * dim + k] -= mean;
        }
    }

    /// <summary>The KL gradient dC/dy_i = 4 sum_j (exaggeration * p_ij - q_ij) (1 + |y_i - y_j|^2)^-1 (y_i - y_j).</summary>
    abstract class Gradient : IDisposable
    {
        /// <summary>Writes the gradient into <paramref name="grad"/>; returns KL(P || Q) when asked (NaN otherwise).</summary>
        public abstract double Compute(double[] y, double exaggeration, double[] grad, bool measureKl);
        public virtual void Dispose() { }
    }

    /// <summary>
    /// All pairs on tensors, a block of rows at a time, in two [block, N] buffers allocated once
    /// and reused with in-place arithmetic (fresh multi-megabyte tensors every step were several
    /// times slower on the 2-core machine).
    /// </summary>
    sealed class ExactGradient : Gradient
    {
        readonly Tensor p, num, work;
        readonly int n, dim, block;
        readonly double pLogP;

        public ExactGradient(Tensor joint, int n, int dim)
        {
            p = joint.DetachFromDisposeScope();
            this.n = n;
            this.dim = dim;
            block = Neighbors.BlockRows(n, 4_000_000);
            num = empty(Math.Min(block, n), n, dtype: ScalarType.Float64).DetachFromDisposeScope();
            work = empty(Math.Min(block, n), n, dtype: ScalarType.Float64).DetachFromDisposeScope();
            using var scope = NewDisposeScope();
            pLogP = (p * p.clamp_min(1e-300).log()).sum().item<double>();
        }

        public override double Compute(double[] yArray, double exaggeration, double[] grad, bool measureKl)
        {
            using var scope = NewDisposeScope();
            var y = tensor(yArray, [n, dim]);
            var ySq = y.pow(2).sum(1);
            var attraction = zeros(n, dim, dtype: ScalarType.Float64);
            var repulsion = zeros(n, dim, dtype: ScalarType.Float64);
            double z = 0, pLogNum = 0;
            for (long start = 0; start < n; start += block)
            {
                using var inner = NewDisposeScope();
                long rows = Math.Min(block, n - start);
                var yBlock = y.narrow(0, start, rows);
                var q = Neighbors.SquaredDistances(yBlock, y, ySq, num.narrow(0, 0, rows)).add_(1).reciprocal_();
                var r = arange(rows, ScalarType.Int64);
                q.index_put_(0.0, r, r + start); // no pair of a point with itself
                z += q.sum().item<double>();
                var pBlock = p.narrow(0, start, rows);
                var w = work.narrow(0, 0, rows);
                if (measureKl) pLogNum += w.copy_(q).clamp_min_(1e-300).log_().mul_(pBlock).sum().item<double>();
                // sum_j w_ij (y_i - y_j) = y_i * sum_j w_ij - (W y)_i
                w.copy_(pBlock).mul_(q);
                attraction.narrow(0, start, rows).copy_(yBlock * w.sum(1, keepdim: true) - w.mm(y));
                q.mul_(q);
                repulsion.narrow(0, start, rows).copy_(yBlock * q.sum(1, keepdim: true) - q.mm(y));
            }
            var g = (attraction * exaggeration - repulsion / z) * 4;
            g.data<double>().CopyTo(grad);
            // KL = sum p ln p - sum p ln num + ln Z (sum p = 1)
            return measureKl ? pLogP - pLogNum + Math.Log(z) : double.NaN;
        }

        public override void Dispose()
        {
            p.Dispose();
            num.Dispose();
            work.Dispose();
        }
    }

    /// <summary>Sparse attraction over the neighbour graph, tree-summarised repulsion; points split across cores.</summary>
    sealed class BarnesHutGradient : Gradient
    {
        readonly SparseAffinities p;
        readonly int n, dim;
        readonly double thetaSq, pLogP;
        readonly SpaceTree tree;
        readonly double[] attraction, repulsion, sumQ, pLogQ;
        readonly int[] order;

        public BarnesHutGradient(SparseAffinities joint, int n, int dim, double theta)
        {
            p = joint;
            this.n = n;
            this.dim = dim;
            thetaSq = theta * theta;
            tree = new SpaceTree(dim);
            attraction = new double[n * dim];
            repulsion = new double[n * dim];
            sumQ = new double[n];
            pLogQ = new double[n];
            order = new int[n];
            foreach (var v in p.Values) if (v > 0) pLogP += v * Math.Log(v);
        }

        public override double Compute(double[] y, double exaggeration, double[] grad, bool measureKl)
        {
            tree.Build(y, n);
            // Walk the points in tree order: neighbours in space share most of their walk, so the
            // nodes stay in cache (about 18% less CPU time at 5,000 points). Each point's forces are
            // computed independently, so the order does not change the result.
            tree.PointsInTreeOrder(order);
            Parallel.For(0, n, () => new int[tree.StackSize], (t, _, stack) =>
            {
                PointForces(y, order[t], measureKl, stack);
                return stack;
            }, _ => { });
            // Summed in index order after the parallel part, so the result does not depend on scheduling.
            double z = 0, logQSum = 0;
            for (int i = 0; i < n; i++) { z += sumQ[i]; logQSum += pLogQ[i]; }
            for (int e = 0; e < grad.Length; e++) grad[e] = 4 * (exaggeration * attraction[e] - repulsion[e] / z);
            return measureKl ? pLogP - logQSum + Math.Log(z) : double.NaN;
        }

        /// <summary>Attraction along point i's edges of P, and its repulsion from the tree.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void PointForces(double[] y, int i, bool measureKl, int[] stack)
        {
            var attract = attraction.AsSpan(i * dim, dim);
            attract.Clear();
            double logQ = 0;
            for (int t = p.RowStart[i]; t < p.RowStart[i + 1]; t++)
            {
                int j = p.Columns[t];
                double d2 = 0;
                for (int k = 0; k < dim; k++) { double d = y[i * dim + k] - y[j * dim + k]; d2 += d * d; }
                double q = 1 / (1 + d2);
                double w = p.Values[t] * q;
                for (int k = 0; k < dim; k++) attract[k] += w * (y[i * dim + k] - y[j * dim + k]);
                if (measureKl) logQ += p.Values[t] * Math.Log(q);
            }
            pLogQ[i] = logQ;
            var repel = repulsion.AsSpan(i * dim, dim);
            repel.Clear();
            sumQ[i] = tree.Repulsion(y, i, thetaSq, repel, stack);
        }
    }
}

using TorchSharp;
using Workbook.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Analysis;

public class TSneTests
{
    /// <summary>Four blobs of 100 points in 50-D, centres far apart compared with each blob's width.</summary>
    static (Tensor X, int[] Labels) FourBlobs() 
    {
        var (x, labels, _) = Synthetic.Blobs(4, 100, 50, separation: 4, spread: 1, seed: 12);
        return (x, labels);
    }

    /// <summary>Smallest distance between two blob centres over the largest mean distance of a blob's points to its centre.</summary>
    static double Separation(float[,] y, int[] labels)
    {
        int k = labels.Max() + 1, n = labels.Length;
        var centres = new double[k, 2];
        var counts = new int[k];
        for (int i = 0; i < n; i++) { centres[labels[i], 0] += y[i, 0]; centres[labels[i], 1] += y[i, 1]; counts[labels[i]]++; }
        for (int c = 0; c < k; c++) { centres[c, 0] /= counts[c]; centres[c, 1] /= counts[c]; }
        var spread = new double[k];
        for (int i = 0; i < n; i++) spread[labels[i]] += Math.Sqrt(Math.Pow(y[i, 0] - centres[labels[i], 0], 2) + Math.Pow(y[i, 1] - centres[labels[i], 1], 2)) / counts[labels[i]];
        double closest = double.PositiveInfinity;
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
                closest = Math.Min(closest, Math.Sqrt(Math.Pow(centres[a, 0] - centres[b, 0], 2) + Math.Pow(centres[a, 1] - centres[b, 1], 2)));
        return closest / spread.Max();
    }

    [Theory]
    [InlineData(TSneMethod.Exact)]
    [InlineData(TSneMethod.BarnesHut)]
    public void Neighbours_within_well_separated_clusters_are_kept(TSneMethod method)
    {
        var (x, labels) = FourBlobs();
        using (x)
        {
            var progress = new List<(int, double)>();
            var r = TSne.Fit(x, new TSneOptions { Method = method, Iterations = 500, Progress = (i, kl) => progress.Add((i, kl)) });
            Assert.Equal(method, r.Method);
            Assert.Equal(new long[] { 400, 2 }, new long[] { r.Embedding.GetLength(0), r.Embedding.GetLength(1) });
            using (var y = r.ToTensor())
                Assert.True(Neighbors.SameLabelFraction(y, labels, 10) > 0.95);
            Assert.True(Separation(r.Embedding, labels) > 3, $"clusters not separated: {Separation(r.Embedding, labels)}");
            // Progress every 50 iterations; KL falls once the exaggeration is off.
            Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 50), progress.Select(p => p.Item1));
            Assert.True(r.KlDivergence < progress.First(p => p.Item1 == 300).Item2);
            Assert.True(r.KlDivergence > 0);
        }
    }

    [Fact]
    public void Barnes_Hut_with_theta_zero_and_all_neighbours_reproduces_exact_t_SNE()
    {
        // 60 points and perplexity 20: Barnes-Hut keeps min(N - 1, 3 * 20 + 1) = 59 neighbours, i.e.
        // all of them, so its sparse P is the dense P; theta = 0 summarises no cell. Both methods then
        // compute the same gradient and, from the same PCA start, the same embedding, up to rounding.
        // Only for a few steps: 60 points at learning rate 50 are chaotic enough that by step 100
        // a 1e-15 rounding difference has grown into a different layout.
        var (x, _, _) = Synthetic.Blobs(3, 20, 10, separation: 3, spread: 1, seed: 14);
        using (x)
        {
            var options = new TSneOptions { Perplexity = 20, Iterations = 20, Theta = 0 };
            var exact = TSne.Fit(x, options with { Method = TSneMethod.Exact });
            var tree = TSne.Fit(x, options with { Method = TSneMethod.BarnesHut });
            for (int i = 0; i < 60; i++)
                for (int d = 0; d < 2; d++)
                    Assert.Equal(exact.Embedding[i, d], tree.Embedding[i, d], 1e-4f);
            Assert.Equal(exact.KlDivergence, tree.KlDivergence, 9);
        }
    }

    [Fact]
    public void Perplexity_calibration_reaches_the_target_entropy()
    {
        var rng = new Random(13);
        int rows = 40, cols = 150;
        var d2 = new double[rows * cols];
        for (int i = 0; i < d2.Length; i++) d2[i] = Math.Pow(rng.NextDouble() * 20, 2);
        // Leave some pairs out (as a point and itself are).
        for (int i = 0; i < rows; i++) d2[i * cols + i] = double.PositiveInfinity;
        using var distances = tensor(d2, [rows, cols]);
        using var c = Affinities.Calibrate(distances, perplexity: 30);
        var entropy = c.Entropy.data<double>().ToArray();
        Assert.All(entropy, h => Assert.Equal(Math.Log(30), h, 4));
        using (var rowSums = c.P.sum(1))
            Assert.True(rowSums.allclose(ones(rows, dtype: ScalarType.Float64), rtol: 0, atol: 1e-12));
        // Entropy recomputed from P itself, -sum p ln p, agrees with what the search reports.
        var p = c.P.data<double>().ToArray();
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(0.0, p[i * cols + i]);
            double h = -Enumerable.Range(0, cols).Select(j => p[i * cols + j]).Where(v => v > 0).Sum(v => v * Math.Log(v));
            Assert.Equal(Math.Log(30), h, 4);
        }
    }

    [Fact]
    public void The_same_options_give_the_same_embedding()
    {
        var (x, _) = FourBlobs();
        using (x)
        {
            foreach (var method in new[] { TSneMethod.Exact, TSneMethod.BarnesHut })
            {
                var options = new TSneOptions { Method = method, Iterations = 120, Init = TSneInit.Random, Seed = 5 };
                var a = TSne.Fit(x, options);
                var b = TSne.Fit(x, options);
                Assert.Equal(Synthetic.Rows(a.Embedding), Synthetic.Rows(b.Embedding));
                Assert.Equal(a.KlDivergence, b.KlDivergence);
                var other = TSne.Fit(x, options with { Seed = 6 });
                Assert.NotEqual(Synthetic.Rows(a.Embedding), Synthetic.Rows(other.Embedding));
            }
        }
    }

    [Fact]
    public void Options_are_checked_and_auto_settings_resolved()
    {
        using var x = Synthetic.Column(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Fit(x, new TSneOptions { Perplexity = 9 }));
        Assert.Throws<ArgumentException>(() => TSne.Fit(x, new TSneOptions { Perplexity = 3, Dimensions = 4, Method = TSneMethod.BarnesHut }));
        // PCA initialisation needs at least as many input dimensions as output ones.
        Assert.Throws<ArgumentException>(() => TSne.Fit(x, new TSneOptions { Perplexity = 3 }));
        var r = TSne.Fit(x, new TSneOptions { Perplexity = 3, Init = TSneInit.Random, Iterations = 10 });
        Assert.Equal(TSneMethod.Exact, r.Method); // 10 points: at most TSne.ExactUpTo
        Assert.Equal(50, r.LearningRate); // max(10 / 12 / 4, 50)
        Assert.Equal(10, r.Iterations);
        Assert.Equal([(10, r.KlDivergence)], r.KlHistory);
    }
}

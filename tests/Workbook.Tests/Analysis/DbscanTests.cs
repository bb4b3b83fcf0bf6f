using TorchSharp;
using Workbook.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Analysis;

public class DbscanTests
{
    [Fact]
    public void Points_on_a_line_split_at_the_gap_wider_than_eps()
    {
        // 0 1 2 3 | gap 7 | 10 11 12 | gap 8 | 20, eps = 1.5, minPoints = 2 (itself and one more):
        // every point but 20 has a neighbour within 1.5, so two clusters and one noise point.
        using var x = Synthetic.Column(0, 1, 2, 3, 10, 11, 12, 20);
        var r = Dbscan.Fit(x, eps: 1.5, minPoints: 2);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1, -1 }, r.Labels);
        Assert.Equal(2, r.ClusterCount);
        Assert.Equal(1, r.NoiseCount);
    }

    [Fact]
    public void Border_points_join_but_do_not_extend_a_cluster()
    {
        // minPoints = 3. Neighbourhoods within 1.5 (itself included):
        //   0: {0, 1} 2 -> border;  1: {0, 1, 2} 3 -> core;  2: {1, 2, 3} core;  3: {2, 3} border
        //   10: {10, 11} border;  11: {10, 11, 12} core;  12: {11, 12} border;  20: {20} noise.
        // Border points take the cluster of the core point that reaches them.
        using var x = Synthetic.Column(0, 1, 2, 3, 10, 11, 12, 20);
        var r = Dbscan.Fit(x, eps: 1.5, minPoints: 3);
        Assert.Equal(new[] { false, true, true, false, false, true, false, false }, r.IsCore);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1, -1 }, r.Labels);
        // With minPoints = 4 nothing is core: all noise.
        Assert.All(Dbscan.Fit(x, eps: 1.5, minPoints: 4).Labels, l => Assert.Equal(-1, l));
    }

    [Fact]
    public void Clusters_are_numbered_in_order_of_discovery()
    {
        // The same points shuffled so that the right-hand group owns the lowest index: it becomes cluster 0.
        using var x = Synthetic.Column(11, 20, 1, 10, 0, 3, 12, 2);
        var r = Dbscan.Fit(x, eps: 1.5, minPoints: 2);
        Assert.Equal(new[] { 0, -1, 1, 0, 1, 1, 0, 1 }, r.Labels);
    }

    /// <summary>Three tight blobs in 5-D plus uniform noise kept at least 8 away from every centre.</summary>
    static (Tensor X, int[] Truth, int Clustered) BlobsAndNoise()
    {
        var (blobs, labels, centres) = Synthetic.Blobs(3, 100, 5, separation: 10, spread: 0.3, seed: 8);
        var rng = new Random(9);
        var noise = new List<float>();
        int noiseCount = 0;
        while (noiseCount < 30)
        {
            var p = Enumerable.Range(0, 5).Select(_ => rng.NextDouble() * 60 - 30).ToArray();
            bool far = Enumerable.Range(0, 3).All(c => Math.Sqrt(Enumerable.Range(0, 5).Sum(d => Math.Pow(p[d] - centres[c, d], 2))) > 8);
            if (!far) continue;
            noise.AddRange(p.Select(v => (float)v));
            noiseCount++;
        }
        using (blobs)
        using (var noiseTensor = tensor(noise.ToArray(), [30, 5]))
        {
            var x = cat([blobs, noiseTensor], 0);
            return (x, labels.Concat(Enumerable.Repeat(-1, 30)).ToArray(), labels.Length);
        }
    }

    [Fact]
    public void Blobs_are_found_and_uniform_noise_is_labelled_noise()
    {
        var (x, truth, clustered) = BlobsAndNoise();
        using (x)
        {
            var r = Dbscan.Fit(x, eps: 1.5, minPoints: 5);
            Assert.Equal(3, r.ClusterCount);
            Assert.All(r.Labels.Skip(clustered), l => Assert.Equal(-1, l));
            Assert.DoesNotContain(-1, r.Labels.Take(clustered));
            Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(r.Labels, truth), 12);
            // Blob points are listed 0, 1, 2, 0, 1, 2, ...: discovery order follows.
            Assert.Equal(new[] { 0, 1, 2 }, r.Labels.Take(3));
        }
    }

    [Fact]
    public void K_distance_is_sorted_and_matches_a_hand_count()
    {
        // 0, 1, 3, 7. Second-nearest other point: 0 -> 3 (3), 1 -> 3 (2), 3 -> 0 (3), 7 -> 1 (6).
        using var x = Synthetic.Column(0, 1, 3, 7);
        Assert.Equal(new double[] { 2, 3, 3, 6 }, Dbscan.KDistance(x, 2));
        Assert.Equal(new double[] { 1, 1, 2, 4 }, Dbscan.KDistance(x, 1));
    }

    [Fact]
    public void The_knee_falls_between_distances_inside_blobs_and_distances_to_noise()
    {
        var (x, truth, clustered) = BlobsAndNoise();
        using (x)
        {
            const int minPoints = 5;
            var curve = Dbscan.KDistance(x, minPoints - 1);
            Assert.Equal(truth.Length, curve.Length);
            Assert.True(curve.Zip(curve.Skip(1)).All(p => p.First <= p.Second));

            var (eps, index) = Dbscan.SuggestEps(curve);
            Assert.Equal(curve[index], eps);
            // The per-point k-distances, split by where the point came from.
            var blobOnly = Dbscan.KDistance(x.narrow(0, 0, clustered), minPoints - 1);
            var (_, all) = Neighbors.KNearest(x, minPoints - 1);
            using (all)
            {
                var kth = all.select(1, minPoints - 2).data<double>().ToArray();
                double largestInBlob = kth.Take(clustered).Max();
                double smallestNoise = kth.Skip(clustered).Min();
                Assert.True(largestInBlob < smallestNoise, "the test data must separate the two");
                Assert.InRange(eps, blobOnly[blobOnly.Length / 2], smallestNoise);
                Assert.True(eps >= largestInBlob * 0.9, $"knee {eps} well below the blob k-distances (max {largestInBlob})");
            }
            // And it is a usable eps: DBSCAN with it finds the blobs and the noise.
            var r = Dbscan.Fit(x, eps, minPoints);
            Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(r.Labels, truth), 12);
        }
    }

    [Fact]
    public void Knee_rule_on_a_hand_made_curve()
    {
        // Flat at 1 for eight points, then 2 and 10. Normalised: x = i / 9, y = (d - 1) / 9.
        // x - y is largest at i = 7 (7/9 - 0) among the flat part; at i = 8: 8/9 - 1/9 = 7/9 too, ties keep the first.
        double[] curve = [1, 1, 1, 1, 1, 1, 1, 1, 2, 10];
        Assert.Equal((1.0, 7), Dbscan.SuggestEps(curve));
        Assert.Throws<ArgumentException>(() => Dbscan.SuggestEps([3, 2, 1]));
    }
}

using Workbook.Analysis;
using Xunit;

namespace Workbook.Tests.Analysis;

public class DbscanSweepTests
{
    [Fact]
    public void Cluster_count_falls_from_noise_to_blobs_to_one_cluster_as_eps_grows()
    {
        // Three tight blobs (spread 0.1) far apart (centres drawn with std 10) in 2 dimensions.
        var (x, _, _) = Synthetic.Blobs(blobs: 3, perBlob: 40, dims: 2, separation: 10, spread: 0.1, seed: 1);
        var rows = DbscanSweep.Run(x, [1000, 0.001, 0.5], minPoints: 5);
        Assert.Equal([0.001, 0.5, 1000], rows.Select(r => r.Eps));
        Assert.Equal(0, rows[0].Clusters);          // every point is noise
        Assert.Equal(1.0, rows[0].NoiseFraction);
        Assert.Equal(3, rows[1].Clusters);          // the blobs
        Assert.Equal([40, 40, 40], rows[1].Sizes);
        Assert.Equal(0.0, rows[1].NoiseFraction);
        Assert.Equal(1, rows[2].Clusters);          // everything merges
        var table = DbscanSweep.ToTable(rows);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal("40, 40, 40", table.Rows[1][4]);
    }

    [Fact]
    public void Bad_eps_values_are_refused()
    {
        var (x, _, _) = Synthetic.Blobs(blobs: 1, perBlob: 5, dims: 2, separation: 1, spread: 1, seed: 1);
        Assert.Throws<ArgumentException>(() => DbscanSweep.Run(x, []));
        var e = Assert.Throws<ArgumentException>(() => DbscanSweep.Run(x, [0.5, -1]));
        Assert.Contains("positive", e.Message);
    }

    [Fact]
    public void An_eps_rule_reads_its_quantile_or_the_knee_off_the_sorted_curve()
    {
        double[] curve = [1, 2, 3, 4, 5];
        Assert.Equal(3, new DbscanEpsRule("median", 0.5).Eps(curve));
        Assert.Equal(1.5, new DbscanEpsRule("q 1/8", 0.125).Eps(curve)); // position 0.5: halfway between 1 and 2
        // A flat curve that jumps at the end: the knee is the last point before the jump.
        double[] knee = [1, 1, 1, 1, 1, 1, 1, 1, 10];
        Assert.Equal(Dbscan.SuggestEps(knee).Eps, DbscanEpsRule.Knee.Eps(knee));
        var e = Assert.Throws<ArgumentException>(() => new DbscanEpsRule("all", 1.0).Eps(curve));
        Assert.Contains("strictly between 0 and 1", e.Message);
        Assert.Throws<ArgumentException>(() => new DbscanEpsRule("median", 0.5).Eps([]));
    }
}

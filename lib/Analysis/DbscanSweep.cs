using Workbook.Reporting;
using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>DBSCAN at one eps: how many clusters, how much noise, and the cluster sizes (largest first).</summary>
public sealed record DbscanSweepRow(double Eps, int MinPoints, int Clusters, double NoiseFraction, int[] Sizes);

/// <summary>
/// DBSCAN over a list of eps values, so that a notebook can show the number of clusters against eps and
/// declare its eps rule before it looks at any claim that depends on the clustering.
/// </summary>
public static class DbscanSweep
{
    /// <summary>Runs <see cref="Dbscan.Fit"/> at every eps (ascending) with the same minPts.</summary>
    public static IReadOnlyList<DbscanSweepRow> Run(Tensor x, IEnumerable<double> eps, int minPoints = 5)
    {
        var values = eps?.ToArray() ?? throw new ArgumentNullException(nameof(eps));
        if (values.Length == 0) throw new ArgumentException("give at least one eps value to sweep");
        if (values.Any(e => !(e > 0) || double.IsInfinity(e))) throw new ArgumentException($"every eps must be positive and finite; got {string.Join(", ", values)}");
        return values.Order().Select(e =>
        {
            var fit = Dbscan.Fit(x, e, minPoints);
            var sizes = fit.Labels.Where(l => l >= 0).GroupBy(l => l).Select(g => g.Count()).OrderDescending().ToArray();
            return new DbscanSweepRow(e, minPoints, fit.ClusterCount, fit.Labels.Length == 0 ? 0 : fit.NoiseCount / (double)fit.Labels.Length, sizes);
        }).ToArray();
    }

    /// <summary>One row per eps; the sizes column lists at most <paramref name="maxSizes"/> clusters.</summary>
    public static Table ToTable(IReadOnlyList<DbscanSweepRow> rows, int maxSizes = 8)
    {
        var table = new Table("eps", "minPts", "clusters", "noise", "cluster sizes") { Title = "DBSCAN against eps" };
        table.Formats["noise"] = "P1";
        foreach (var r in rows)
            table.Add(r.Eps, r.MinPoints, r.Clusters, r.NoiseFraction,
                string.Join(", ", r.Sizes.Take(maxSizes)) + (r.Sizes.Length > maxSizes ? $", ... ({r.Sizes.Length - maxSizes} more)" : ""));
        return table;
    }
}

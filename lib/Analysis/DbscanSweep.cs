using Workbook.Reporting;
using Workbook.Statistics;
using static TorchSharp.torch;

namespace Workbook.Analysis;

/// <summary>DBSCAN at one eps: how many clusters, how much noise, and the cluster sizes (largest first).</summary>
public sealed record DbscanSweepRow(double Eps, int MinPoints, int Clusters, double NoiseFraction, int[] Sizes);

/// <summary>
/// A rule that reads DBSCAN's eps off the sorted k-distance curve of the points being clustered (scale-free, so
/// one declared rule serves every seed's features): the curve's <see cref="Quantile"/> (the share of points that
/// become core points), or its knee (<see cref="Dbscan.SuggestEps"/>) when no quantile is given.
/// </summary>
/// <param name="Name">A short name shown as a column, e.g. "median k-distance".</param>
/// <param name="Quantile">Between 0 and 1 (exclusive); null for the knee.</param>
public sealed record DbscanEpsRule(string Name, double? Quantile)
{
    /// <summary>The knee rule of the k-distance plot, the textbook's choice.</summary>
    public static DbscanEpsRule Knee { get; } = new("knee of the k-distance curve", null);

    /// <summary>The eps this rule gives for a k-distance curve sorted ascending (<see cref="Dbscan.KDistance"/>).</summary>
    public double Eps(double[] sortedKDistances)
    {
        ArgumentNullException.ThrowIfNull(sortedKDistances);
        if (Quantile is not { } q) return Dbscan.SuggestEps(sortedKDistances).Eps;
        if (!(q > 0 && q < 1)) throw new ArgumentException($"rule '{Name}': the quantile must lie strictly between 0 and 1, got {q}");
        if (sortedKDistances.Length == 0) throw new ArgumentException("an empty k-distance curve has no quantile");
        return Quantiles.OfSorted(sortedKDistances, q);
    }
}

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

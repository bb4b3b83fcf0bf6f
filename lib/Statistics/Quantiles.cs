namespace Workbook.Statistics;

/// <summary>Quantiles by linear interpolation between order statistics (numpy's default, pandas' describe()).</summary>
public static class Quantiles
{
    /// <summary>The <paramref name="q"/>-quantile (0 to 1) of values already sorted ascending.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("an empty list has no quantile");
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"a quantile lies between 0 and 1, got {q}");
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>The <paramref name="q"/>-quantile (0 to 1) of <paramref name="values"/> in any order.</summary>
    public static double Of(IEnumerable<double> values, double q) => OfSorted(values.Order().ToArray(), q);
}

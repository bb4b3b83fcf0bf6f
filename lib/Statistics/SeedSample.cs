using System.Globalization;

namespace Workbook.Statistics;

/// <summary>
/// One figure measured once per seed (a seed fixes initialisation, batch order, dropout and augmentation
/// draws; the data split stays fixed). Non-finite values (a diverged seed) are kept and counted, never
/// averaged in.
/// </summary>
public sealed record SeedSample : IFormattable
{
    /// <summary>The values, one per seed, in seed order.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>A sample of the given values (at least one).</summary>
    public SeedSample(IEnumerable<double> values)
    {
        Values = values.ToArray();
        if (Values.Count == 0) throw new ArgumentException("a seed sample needs at least one value");
    }

    /// <summary>Seeds measured.</summary>
    public int Count => Values.Count;
    /// <summary>The finite values.</summary>
    public IReadOnlyList<double> Finite => Values.Where(double.IsFinite).ToArray();
    /// <summary>Seeds whose value is not finite (diverged).</summary>
    public int NonFinite => Values.Count(v => !double.IsFinite(v));
    /// <summary>Mean of the finite values; NaN when none is finite.</summary>
    public double Mean => Finite.Count == 0 ? double.NaN : Finite.Average();
    /// <summary>Sample standard deviation (n - 1) of the finite values; 0 for one value, NaN for none.</summary>
    public double Std
    {
        get
        {
            var f = Finite;
            if (f.Count == 0) return double.NaN;
            if (f.Count == 1) return 0;
            double m = f.Average();
            return Math.Sqrt(f.Sum(v => (v - m) * (v - m)) / (f.Count - 1));
        }
    }
    /// <summary>Smallest finite value (NaN for none).</summary>
    public double Min => Finite.Count == 0 ? double.NaN : Finite.Min();
    /// <summary>Largest finite value (NaN for none).</summary>
    public double Max => Finite.Count == 0 ? double.NaN : Finite.Max();

    /// <summary>A sample of one value (a single run).</summary>
    public static SeedSample Of(double value) => new([value]);

    /// <summary>"mean ± std [min–max] (n seeds)", or the single value; diverged seeds are named.</summary>
    public string ToString(string format)
    {
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        string diverged = NonFinite > 0 ? $", {NonFinite} of {Count} diverged" : "";
        if (Finite.Count == 0) return $"diverged ({Count} of {Count} seeds)";
        if (Count == 1) return F(Values[0]);
        return $"{F(Mean)} ± {F(Std)} [{F(Min)}–{F(Max)}] ({Count} seeds{diverged})";
    }

    /// <inheritdoc />
    public override string ToString() => ToString("0.##");

    /// <summary>So a <c>Table</c> column format (e.g. "P2") applies to every figure of the sample.</summary>
    public string ToString(string? format, IFormatProvider? provider) => ToString(format ?? "0.##");
}

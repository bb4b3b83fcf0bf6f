using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Tests.Analysis;

/// <summary>Seeded test data with known structure, built from System.Random so it is the same everywhere.</summary>
static class Synthetic
{
    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// <paramref name="blobs"/> isotropic Gaussian blobs of <paramref name="perBlob"/> points in
    /// <paramref name="dims"/> dimensions, point i in blob i % blobs: centres drawn N(0, separation^2)
    /// per coordinate, points N(centre, spread^2). Float32 [N, dims] and the blob of each point.
    /// </summary>
    public static (Tensor X, int[] Labels, double[,] Centres) Blobs(int blobs, int perBlob, int dims, double separation, double spread, int seed)
    {
        var rng = new Random(seed);
        var centres = new double[blobs, dims];
        for (int b = 0; b < blobs; b++)
            for (int d = 0; d < dims; d++) centres[b, d] = separation * Normal(rng);
        int n = blobs * perBlob;
        var values = new float[n * dims];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % blobs;
            for (int d = 0; d < dims; d++) values[i * dims + d] = (float)(centres[labels[i], d] + spread * Normal(rng));
        }
        return (tensor(values, [n, dims]), labels, centres);
    }

    /// <summary>Rows of doubles as a float32 tensor [N, D].</summary>
    public static Tensor Matrix(double[,] rows) => tensor(rows).to(ScalarType.Float32);

    /// <summary>Numbers on a line as a float32 tensor [N, 1].</summary>
    public static Tensor Column(params double[] values) => tensor(values.Select(v => (float)v).ToArray(), [values.Length, 1]);

    /// <summary>A float[,] as nested arrays, for comparisons.</summary>
    public static float[][] Rows(float[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();
}

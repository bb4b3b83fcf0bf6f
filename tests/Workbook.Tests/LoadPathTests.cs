using Workbook.Data;
using Workbook.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests;

/// <summary>The faster load path (slicing-by-8 CRC, chunked inflate, table-driven scaling) gives the same results and errors.</summary>
public class LoadPathTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-load").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string P(string name) => Path.Combine(dir, name);

    [Fact]
    public void Crc32_matches_the_bytewise_loop_and_known_values()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8)); // the standard check value
        Assert.Equal(0u, Crc32.Compute([]));
        var rng = new Random(5);
        foreach (int n in new[] { 1, 7, 8, 9, 15, 16, 17, 63, 1000, 65_537 })
        {
            var data = new byte[n];
            rng.NextBytes(data);
            uint expected = Crc32.ComputeBytewise(data);
            Assert.Equal(expected, Crc32.Compute(data));
            // Appending in uneven pieces gives the CRC of the whole.
            uint crc = 0;
            for (int at = 0; at < n;)
            {
                int len = Math.Min(n - at, rng.Next(1, 20));
                crc = Crc32.Append(crc, data.AsSpan(at, len));
                at += len;
            }
            Assert.Equal(expected, crc);
        }
    }

    void WriteSet(byte[] trainPixels, int n)
    {
        Idx.Write(P(FashionMnist.TrainImages + ".gz"), Idx.ImagesMagic, [n, 28, 28], trainPixels, gzip: true);
        Idx.Write(P(FashionMnist.TrainLabels + ".gz"), Idx.LabelsMagic, [n], new byte[n], gzip: true);
        Idx.Write(P(FashionMnist.TestImages + ".gz"), Idx.ImagesMagic, [1, 28, 28], new byte[784], gzip: true);
        Idx.Write(P(FashionMnist.TestLabels + ".gz"), Idx.LabelsMagic, [1], [3], gzip: true);
    }

    [Fact]
    public void Every_pixel_value_scales_exactly_as_libtorch_divides()
    {
        // 2,000 images: more than one parallel block of pixels; every byte value appears.
        const int n = 2000;
        var pixels = new byte[n * 784];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 + i / 256);
        WriteSet(pixels, n);
        var data = FashionMnist.LoadFrom(dir, verifyChecksums: false);
        using var expected = tensor(pixels, new long[] { n, 1, 28, 28 }, ScalarType.Byte).to_type(ScalarType.Float32).div_(255f);
        Assert.True(data.Train.Images.eq(expected).all().item<bool>(), "table-driven scaling differs from to_type(Float32).div_(255)");
        using var all = tensor(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), ScalarType.Byte).to_type(ScalarType.Float32).div_(255f);
        Assert.Equal(all.data<float>().ToArray(), Enumerable.Range(0, 256).Select(b => (float)b / 255f).ToArray());
    }

    [Theory]
    [InlineData(8)] // the trailer's CRC-32 field
    [InlineData(4)] // the trailer's length field: one more than the data
    public void A_wrong_gzip_trailer_is_reported(int fromEnd)
    {
        var pixels = new byte[3 * 784];
        new Random(2).NextBytes(pixels);
        WriteSet(pixels, 3);
        var path = P(FashionMnist.TrainImages + ".gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^fromEnd]++;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, verifyChecksums: false));
        // zlib itself rejects the trailer when it reaches it (.NET words that as an "unsupported
        // compression method"); the workbook's own trailer check is behind it. Either way: corrupt.
        Assert.Contains("corrupt or truncated", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void A_trailer_length_shorter_than_the_data_is_reported()
    {
        var pixels = new byte[3 * 784];
        WriteSet(pixels, 3);
        var path = P(FashionMnist.TrainImages + ".gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^4]--; // states one byte less than inflates
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, verifyChecksums: false));
        Assert.Contains("corrupt or truncated", e.Message);
    }
}

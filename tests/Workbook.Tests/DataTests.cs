using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Workbook.Data;
using Xunit;

namespace Workbook.Tests;

/// <summary>Reading, checking and fetching the IDX files; every bad input gets a clear error.</summary>
public class DataTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-data").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string P(string name) => Path.Combine(dir, name);

    static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Writes a small, well-formed set of four files (n train, m test images).</summary>
    void WriteSet(int n = 6, int m = 4, bool gzip = true)
    {
        var rng = new Random(1);
        byte[] Pixels(int k) { var b = new byte[k * 784]; rng.NextBytes(b); return b; }
        byte[] Labels(int k) => Enumerable.Range(0, k).Select(i => (byte)(i % 10)).ToArray();
        string ext = gzip ? ".gz" : "";
        Idx.Write(P(FashionMnist.TrainImages + ext), Idx.ImagesMagic, [n, 28, 28], Pixels(n), gzip);
        Idx.Write(P(FashionMnist.TrainLabels + ext), Idx.LabelsMagic, [n], Labels(n), gzip);
        Idx.Write(P(FashionMnist.TestImages + ext), Idx.ImagesMagic, [m, 28, 28], Pixels(m), gzip);
        Idx.Write(P(FashionMnist.TestLabels + ext), Idx.LabelsMagic, [m], Labels(m), gzip);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reads_gzipped_and_plain_files_into_scaled_tensors(bool gzip)
    {
        WriteSet(gzip: gzip);
        var data = FashionMnist.LoadFrom(dir, verifyChecksums: false);
        Assert.Equal(new long[] { 6, 1, 28, 28 }, data.Train.Images.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, data.Train.Images.dtype);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, data.Train.Labels.dtype);
        Assert.InRange(data.Train.Images.max().item<float>(), 0.9f, 1f);
        Assert.Equal(0f, data.Train.Images.min().item<float>(), 2);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, data.Train.LabelArray());
        Assert.Equal("Ankle boot", data.Test.ClassNames[9]);
    }

    [Fact]
    public void Wrong_magic_number_is_named()
    {
        WriteSet();
        // Labels where images should be.
        File.Copy(P(FashionMnist.TrainLabels + ".gz"), P(FashionMnist.TrainImages + ".gz"), overwrite: true);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains("wrong magic number 0x00000801", e.Message);
        Assert.Contains("swapped", e.Message);
        Assert.EndsWith(FashionMnist.TrainImages + ".gz", e.FilePath);
    }

    [Fact]
    public void Dimensions_that_disagree_with_the_file_length_are_reported()
    {
        WriteSet();
        Idx.Write(P(FashionMnist.TestImages + ".gz"), Idx.ImagesMagic, [5, 28, 28], new byte[4 * 784], gzip: true);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains("5 x 28 x 28 = 3,920 values but the file holds 3,136", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Truncated_gzip_is_reported_as_corrupt()
    {
        WriteSet();
        var path = P(FashionMnist.TrainImages + ".gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains("corrupt or truncated", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Corrupt_gzip_body_is_reported()
    {
        WriteSet();
        var path = P(FashionMnist.TrainLabels + ".gz");
        var bytes = File.ReadAllBytes(path);
        for (int i = 12; i < bytes.Length - 8; i++) bytes[i] ^= 0x5a;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains(FashionMnist.TrainLabels, e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_names_both_files()
    {
        WriteSet();
        Idx.Write(P(FashionMnist.TrainLabels + ".gz"), Idx.LabelsMagic, [5], new byte[5], gzip: true);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains("6 images", e.Message);
        Assert.Contains("5 labels", e.Message);
        Assert.Contains(FashionMnist.TrainLabels, e.Message);
    }

    [Fact]
    public void Labels_out_of_range_are_reported_with_their_position()
    {
        WriteSet();
        Idx.Write(P(FashionMnist.TestLabels + ".gz"), Idx.LabelsMagic, [4], [1, 2, 12, 3], gzip: true);
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, false));
        Assert.Contains("label 12 at position 2", e.Message);
    }

    [Fact]
    public void Checksum_mismatch_says_the_file_is_not_the_original()
    {
        WriteSet();
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir, verifyChecksums: true));
        Assert.Contains("content SHA-256", e.Message);
        Assert.Contains("not Fashion-MNIST", e.Message);
    }

    [Fact]
    public void Missing_files_name_the_apt_package_and_the_download()
    {
        WriteSet();
        File.Delete(P(FashionMnist.TestLabels + ".gz"));
        var e = Assert.Throws<DataException>(() => FashionMnist.LoadFrom(dir));
        Assert.Contains(FashionMnist.TestLabels, e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("Workbook -- data", e.Message);
    }

    [Fact]
    public void Real_data_loads_with_verified_checksums_and_the_known_counts()
    {
        var real = TestData.Real;
        Assert.Equal(60_000, real.Train.Count);
        Assert.Equal(10_000, real.Test.Count);
        Assert.All(real.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(real.Test.ClassCounts(), c => Assert.Equal(1000, c));
    }

    [Fact]
    public void Split_is_deterministic_disjoint_and_complete()
    {
        var data = TestData.Real.Train.Subset(5000, seed: 3);
        var (a1, b1) = data.Split(0.2, seed: 11);
        var (a2, b2) = data.Split(0.2, seed: 11);
        var (a3, _) = data.Split(0.2, seed: 12);
        Assert.Equal(4000, a1.Count);
        Assert.Equal(1000, b1.Count);
        Assert.True(Same(a1.Images, a2.Images));
        Assert.True(Same(b1.Labels, b2.Labels));
        Assert.False(Same(a1.Images, a3.Images));
        // Together the two parts hold every image exactly once: compare sums of pixel totals.
        double Total(Dataset d) => d.Images.sum().item<float>();
        Assert.Equal(Total(data), Total(a1) + Total(b1), 0);
        Assert.Contains("split(0.2,seed=11):validation", b1.Id);
    }

    [Fact]
    public void Five_class_relabeling_follows_report_002()
    {
        var five = FashionMnist.ToFiveClasses(TestData.Real.Train);
        Assert.Equal(5, five.NumClasses);
        Assert.Equal(new[] { 6000, 12000, 30000, 6000, 6000 }, five.ClassCounts());
        var ten = TestData.Real.Train.LabelArray();
        var mapped = five.LabelArray();
        for (int i = 0; i < 200; i++)
        {
            long expected = ten[i] switch { 7 => 0, 1 or 9 => 1, 0 or 2 or 3 or 4 or 6 => 2, 8 => 3, _ => 4 };
            Assert.Equal(expected, mapped[i]);
        }
    }

    [Fact]
    public void Augmentation_is_seeded_small_and_doubles_the_set()
    {
        var data = TestData.Real.Train.Subset(256, seed: 4);
        var aug = new Augmentation();
        var g1 = new TorchSharp.torch.Generator(5);
        var g2 = new TorchSharp.torch.Generator(5);
        using var x1 = aug.Apply(data.Images, g1);
        using var x2 = aug.Apply(data.Images, g2);
        Assert.True(Same(x1, x2));
        Assert.False(Same(x1, data.Images));
        // Small changes: the warped images stay close to the originals on average.
        var diff = (x1 - data.Images).abs().mean().item<float>();
        Assert.InRange(diff, 0.005f, 0.2f);
        var doubled = aug.Expand(data, seed: 1);
        Assert.Equal(512, doubled.Count);
        Assert.Equal(data.LabelArray().Concat(data.LabelArray()), doubled.LabelArray());
    }

    [Fact]
    public void Download_verifies_content_and_leaves_nothing_half_written()
    {
        // A loopback server with the real (recompressed) files; one request is cut short.
        var source = FashionMnist.Locate(allowDownload: false).Directory;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        bool truncateLabels = true;
        var serving = Task.Run(async () =>
        {
            while (http.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await http.GetContextAsync(); } catch { return; }
                var name = Path.GetFileName(ctx.Request.Url!.AbsolutePath);
                var file = Path.Combine(source, name);
                if (!File.Exists(file)) { ctx.Response.StatusCode = 404; ctx.Response.Close(); continue; }
                var bytes = File.ReadAllBytes(file);
                if (truncateLabels && name.StartsWith(FashionMnist.TestLabels))
                    bytes = bytes[..(bytes.Length - 100)]; // a damaged copy on the "mirror"
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
        });
        var target = P("download");
        var log = new List<string>();
        var e = Assert.Throws<DataException>(() => FashionMnist.Download(target, new Uri($"http://127.0.0.1:{port}/"), log.Add));
        Assert.Contains(FashionMnist.TestLabels, e.Message);
        // The good files arrived and verified; the bad one left no file and no partial file.
        Assert.True(File.Exists(Path.Combine(target, FashionMnist.TrainImages + ".gz")));
        Assert.False(File.Exists(Path.Combine(target, FashionMnist.TestLabels + ".gz")));
        Assert.Empty(Directory.GetFiles(target, "*.part"));
        Assert.Contains(log, l => l.Contains("downloaded and verified"));
        Assert.Contains(log, l => l.Contains("[####################]") || l.Contains("[##"));

        // Second attempt with a good mirror fetches only what is missing.
        truncateLabels = false;
        log.Clear();
        FashionMnist.Download(target, new Uri($"http://127.0.0.1:{port}/"), log.Add);
        Assert.Single(log, l => l.Contains("downloaded and verified"));
        Assert.Empty(FashionMnist.MissingFiles(target));
        Assert.Equal(60_000, FashionMnist.LoadFrom(target).Train.Count);

        // An unreachable mirror: a clear error, nothing written.
        var empty = P("nothing");
        http.Stop();
        var e2 = Assert.Throws<DataException>(() => FashionMnist.Download(empty, new Uri($"http://127.0.0.1:{port}/"), log.Add));
        Assert.Contains("failed", e2.Message);
        Assert.Empty(Directory.GetFiles(empty));
    }
}

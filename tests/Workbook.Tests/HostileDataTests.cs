using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Workbook.Data;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Issue 17: data files and download servers that misbehave. Every case ends, within seconds, in a
/// <see cref="DataException"/> that names the file and leaves no partial file behind.
/// </summary>
public sealed class HostileDataTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("wb-hostile").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string P(string name) => Path.Combine(dir, name);

    // Item 4: a file symlinked to itself cannot be opened (ELOOP): the data error, not an IOException.
    [Fact]
    public void A_file_symlinked_to_itself_is_a_data_error()
    {
        var path = P(FashionMnist.TrainLabels);
        File.CreateSymbolicLink(path, path);
        var e = Assert.Throws<DataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("cannot be read", e.Message);
    }

    // Item 4: a file without read permission. Root reads anything, so only a normal user sees this.
    [Fact]
    public void An_unreadable_file_is_a_data_error_that_says_to_fix_the_permission()
    {
        if (Environment.UserName == "root" || OperatingSystem.IsWindows()) return; // root ignores the mode bits
        var path = P(FashionMnist.TrainLabels);
        Idx.Write(path, Idx.LabelsMagic, [3], [1, 2, 3], gzip: false);
        File.SetUnixFileMode(path, UnixFileMode.None);
        var e = Assert.Throws<DataException>(() => Idx.ReadLabels(path));
        Assert.Contains("permission", e.Message);
    }

    // Item 6: a gzip trailer that claims ~2 GB must not make the reader allocate 2 GB up front.
    [Fact]
    public void A_gzip_trailer_claiming_two_gigabytes_allocates_only_what_the_data_needs()
    {
        var path = P(FashionMnist.TrainImages + ".gz");
        var pixels = new byte[2_100_000]; // incompressible, so the file is large enough for the 1032:1 bound
        new Random(3).NextBytes(pixels);
        Idx.Write(path, Idx.ImagesMagic, [pixels.Length / 784, 28, 28], pixels[..(pixels.Length / 784 * 784)], gzip: true);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(2_000_000_000u).CopyTo(bytes, bytes.Length - 4);
        File.WriteAllBytes(path, bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataException>(() => Idx.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("corrupt", e.Message);
        Assert.True(allocated < 64L << 20, $"reading a 2 MB file allocated {allocated / 1e6:F0} MB");
    }

    /// <summary>A loopback server that accepts connections and then does its handler with each; disposing stops it.</summary>
    sealed class LocalServer : IDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        public Uri Url { get; }

        public LocalServer(Func<NetworkStream, Task> serve)
        {
            listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient client;
                    try { client = await listener.AcceptTcpClientAsync(); } catch { return; }
                    _ = Task.Run(async () => { try { await serve(client.GetStream()); } catch { } });
                }
            });
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>Runs a download that must end in a DataException well within <paramref name="limit"/>.</summary>
    DataException DownloadFails(Uri mirror, TimeSpan limit)
    {
        var target = P("download");
        var clock = Stopwatch.StartNew();
        var task = Task.Run(() => FashionMnist.Download(target, mirror, _ => { }, stallTimeout: TimeSpan.FromSeconds(2)));
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit), $"the download still hangs after {limit.TotalSeconds} s");
        var e = Assert.IsType<DataException>(task.Exception!.InnerException);
        Assert.True(clock.Elapsed < limit);
        Assert.Empty(Directory.GetFiles(target, "*.part", new EnumerationOptions { AttributesToSkip = 0 }));
        return e;
    }

    // Item 2: a server that accepts the connection and never answers.
    [Fact]
    public void A_server_that_never_answers_times_out_with_a_clear_error()
    {
        using var server = new LocalServer(async s => await Task.Delay(Timeout.Infinite));
        Assert.Contains("did not answer", DownloadFails(server.Url, TimeSpan.FromSeconds(20)).Message);
    }

    // Item 2: a server that sends the headers and part of the body, then stalls.
    [Fact]
    public void A_server_that_stalls_mid_body_times_out_and_leaves_no_part_file()
    {
        using var server = new LocalServer(async s =>
        {
            var reader = new StreamReader(s);
            while (await reader.ReadLineAsync() is { Length: > 0 }) { }
            var head = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nContent-Type: application/octet-stream\r\n\r\n"u8.ToArray();
            await s.WriteAsync(head);
            await s.WriteAsync(new byte[5000]);
            await s.FlushAsync();
            await Task.Delay(Timeout.Infinite);
        });
        Assert.Contains("stalled", DownloadFails(server.Url, TimeSpan.FromSeconds(20)).Message);
    }

    // Item 7: a .part file left by a download that was killed is removed by the next download.
    [Fact]
    public void A_part_file_of_a_dead_download_is_removed_by_the_next_one()
    {
        var target = P("download");
        Directory.CreateDirectory(target);
        var dead = DeadProcessId();
        var stale = Path.Combine(target, $".{FashionMnist.TestLabels}.gz.{dead}-0123456789abcdef.part");
        var oldStyle = Path.Combine(target, $".{FashionMnist.TestLabels}.gz.0123456789abcdef0123456789abcdef.part");
        File.WriteAllText(stale, "half");
        File.WriteAllText(oldStyle, "half");
        File.SetLastWriteTimeUtc(oldStyle, DateTime.UtcNow.AddDays(-2));
        using (var server = new LocalServer(async s => await Task.Delay(Timeout.Infinite)))
            Assert.Throws<DataException>(() => FashionMnist.Download(target, server.Url, _ => { }, stallTimeout: TimeSpan.FromSeconds(1)));
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(oldStyle));
    }

    /// <summary>The id of a process that has exited (ids are reused only after the whole range wraps).</summary>
    internal static int DeadProcessId()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    // Fuzz: random mutations of a small, valid IDX file (plain and gzipped). Every outcome is a
    // DataException or a read whose size agrees with its header; bounded to a few seconds.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fuzzed_idx_files_are_read_or_rejected_cleanly(bool gzip)
    {
        var path = P("fuzz");
        var labels = Enumerable.Range(0, 300).Select(i => (byte)(i % 10)).ToArray();
        Idx.Write(path, Idx.LabelsMagic, [labels.Length], labels, gzip);
        var original = File.ReadAllBytes(path);
        var rng = new Random(17);
        var clock = Stopwatch.StartNew();
        int cases = 0, rejected = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(3) && cases < 3000)
        {
            var bytes = Mutate(original, rng);
            File.WriteAllBytes(path, bytes);
            cases++;
            try
            {
                var file = rng.Next(2) == 0 ? Idx.ReadLabels(path) : Idx.ReadImages(path);
                Assert.Equal(file.Dimensions.Aggregate(1L, (a, d) => a * d), file.Bytes.LongLength);
            }
            catch (DataException e)
            {
                rejected++;
                Assert.Contains(path, e.Message);
            }
        }
        Assert.True(cases >= 100, $"only {cases} cases ran");
        Assert.True(rejected > 0);
    }

    /// <summary>One to four random edits: flip bytes, overwrite with extremes, cut, insert, or duplicate.</summary>
    internal static byte[] Mutate(byte[] original, Random rng)
    {
        var list = original.ToList();
        for (int k = rng.Next(1, 5); k > 0; k--)
        {
            int at = list.Count == 0 ? 0 : rng.Next(list.Count);
            switch (rng.Next(6))
            {
                case 0 when list.Count > 0: list[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when list.Count > 0: list[at] = rng.Next(2) == 0 ? (byte)0xff : (byte)0; break;
                case 2: list.RemoveRange(at, Math.Min(list.Count - at, rng.Next(1, 64))); break;
                case 3: list.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256))); break;
                case 4: list.RemoveRange(at, list.Count - at); break;
                default: if (list.Count > 0) list.InsertRange(at, list.GetRange(at, Math.Min(list.Count - at, rng.Next(1, 32)))); break;
            }
        }
        return list.ToArray();
    }
}

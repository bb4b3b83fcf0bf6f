using TorchSharp;
using Workbook.Runtime;
using static TorchSharp.torch;

namespace Workbook.Data;

/// <summary>The training and test sets, and where they were read from.</summary>
/// <param name="Train">60,000 training images.</param>
/// <param name="Test">10,000 test images.</param>
/// <param name="Directory">The folder the four files were read from.</param>
/// <param name="Source">How that folder was chosen (environment variable, project data folder, Debian package, download).</param>
/// <param name="LoadSeconds">Time to read, check and decode the four files.</param>
public sealed record FashionMnistData(Dataset Train, Dataset Test, string Directory, string Source, double LoadSeconds);

/// <summary>
/// Finds, fetches, verifies and loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from its four
/// original IDX files.
/// </summary>
public static class FashionMnist
{
    /// <summary>The ten classes, indexed by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Base names of the four files (without .gz).</summary>
    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte",
        TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The four base names, in the order train images, train labels, test images, test labels.</summary>
    public static readonly string[] FileNames = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>SHA-256 of each decompressed original file (the Debian copy is recompressed, so .gz bytes differ).</summary>
    public static readonly IReadOnlyDictionary<string, string> ContentSha256 = new Dictionary<string, string>
    {
        [TrainImages] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        [TrainLabels] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        [TestImages] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        [TestLabels] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    /// <summary>Environment variable naming a folder that holds the four files.</summary>
    public const string DirectoryVariable = "FASHION_MNIST_DIR";
    /// <summary>Environment variable overriding the download address (a folder URL ending in /).</summary>
    public const string MirrorVariable = "FASHION_MNIST_MIRROR";
    /// <summary>Where the Debian/Ubuntu package puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";
    /// <summary>The Debian/Ubuntu package that holds the files.</summary>
    public const string AptPackage = "dataset-fashion-mnist";
    /// <summary>The dataset's official download location.</summary>
    public static readonly Uri OfficialMirror = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    static readonly Dictionary<string, FashionMnistData> loaded = new();
    static readonly object gate = new();

    /// <summary>
    /// Loads the data once per process from the first place that has it: FASHION_MNIST_DIR;
    /// data/fashion-mnist/; /usr/share/datasets/fashion-mnist/ (apt package dataset-fashion-mnist);
    /// else a download into data/fashion-mnist/. Every file's content is checked against its SHA-256.
    /// </summary>
    public static FashionMnistData Load(bool allowDownload = true)
    {
        var (dir, source) = Locate(allowDownload);
        lock (gate)
        {
            if (loaded.TryGetValue(dir, out var cached)) return cached;
            var data = LoadFrom(dir, verifyChecksums: true) with { Source = source };
            loaded[dir] = data;
            return data;
        }
    }

    /// <summary>The candidate folders, in search order, with a description of each.</summary>
    public static IReadOnlyList<(string Directory, string Source)> Candidates()
    {
        var list = new List<(string, string)>();
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } env)
            list.Add((Path.GetFullPath(env), $"{DirectoryVariable}"));
        list.Add((ProjectDirectory, "project data folder"));
        list.Add((DebianDirectory, $"Debian package {AptPackage}"));
        return list;
    }

    /// <summary>data/fashion-mnist/ under the repository root: where downloads go.</summary>
    public static string ProjectDirectory => Path.Combine(WorkbookPaths.Data, "fashion-mnist");

    /// <summary>Finds a folder with all four files, downloading into data/fashion-mnist/ when none has them.</summary>
    public static (string Directory, string Source) Locate(bool allowDownload = true)
    {
        var candidates = Candidates();
        foreach (var (dir, source) in candidates)
        {
            var missing = MissingFiles(dir);
            if (missing.Count == 0) return (dir, source);
            if (source == DirectoryVariable && !Directory.Exists(dir))
                throw new DataException(
                    $"{DirectoryVariable} is set to {dir}, which {(File.Exists(dir) ? "is a file, not a folder" : "does not exist")}. Set it to the folder that holds the four Fashion-MNIST files, " +
                    $"or unset {DirectoryVariable} to use the other sources.", dir);
            if (source == DirectoryVariable)
                throw new DataException(
                    $"{DirectoryVariable} is set to {dir}, but that folder lacks {string.Join(", ", missing)} (each may be gzipped, ending in .gz). " +
                    $"Put the four Fashion-MNIST files there, or unset {DirectoryVariable} to use the other sources.", dir);
        }
        var searched = string.Join("; ", candidates.Select(c => c.Directory));
        if (!allowDownload)
            throw new DataException(NotFoundMessage(searched, "downloading was not allowed"), ProjectDirectory);
        try
        {
            Download(ProjectDirectory, MirrorFromEnvironment());
        }
        catch (DataException e)
        {
            throw new DataException(NotFoundMessage(searched, e.Message), ProjectDirectory, e);
        }
        return (ProjectDirectory, "downloaded");
    }

    static string NotFoundMessage(string searched, string why) =>
        $"Fashion-MNIST was not found (looked in: {searched}) and could not be downloaded: {why}. Fix it in one of these ways: " +
        $"install the Debian/Ubuntu package (sudo apt-get install {AptPackage}); or connect to the internet and run `dotnet run --project tools/Workbook -- data`, " +
        $"which downloads the four files from {OfficialMirror}; or copy {string.Join(", ", FileNames.Select(f => f + ".gz"))} into data/fashion-mnist/ or a folder named by {DirectoryVariable}.";

    /// <summary>The download base address: FASHION_MNIST_MIRROR or the official one.</summary>
    public static Uri MirrorFromEnvironment() =>
        Environment.GetEnvironmentVariable(MirrorVariable) is { Length: > 0 } m ? new Uri(m.EndsWith('/') ? m : m + "/") : OfficialMirror;

    /// <summary>The base names of the files that <paramref name="dir"/> lacks (a file counts with or without .gz).</summary>
    public static List<string> MissingFiles(string dir) =>
        FileNames.Where(f => FindFile(dir, f) is null).ToList();

    /// <summary>The path of a file in a folder, gzipped or not, or null.</summary>
    public static string? FindFile(string dir, string baseName)
    {
        foreach (var name in new[] { baseName + ".gz", baseName })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Reads and checks the four files of a folder.</summary>
    public static FashionMnistData LoadFrom(string dir, bool verifyChecksums = true)
    {
        NativeRuntime.EnsureTorch();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (!Directory.Exists(dir))
            throw new DataException($"{dir} {(File.Exists(dir) ? "is a file, not a folder" : "does not exist")}. Name the folder that holds the four Fashion-MNIST files, " +
                $"or install the package {AptPackage}, or download the files with `dotnet run --project tools/Workbook -- data`.", dir);
        var missing = MissingFiles(dir);
        if (missing.Count > 0)
            throw new DataException($"{dir} lacks {string.Join(", ", missing)} (.gz or uncompressed). " +
                $"Install the package {AptPackage}, or download the files with `dotnet run --project tools/Workbook -- data`.", dir);
        // The four files decompress in parallel; the first failure (in file order) is the one reported.
        var reads = FileNames.Select(name => Task.Run(() => name.Contains("images") ? Idx.ReadImages(FindFile(dir, name)!) : Idx.ReadLabels(FindFile(dir, name)!))).ToArray();
        try { Task.WaitAll(reads); }
        catch (AggregateException) { throw reads.First(t => t.IsFaulted).Exception!.InnerException!; }
        var files = reads.Select(t => t.Result).ToArray();
        var train = Build(files[0], files[1], "fashion-mnist:train");
        var test = Build(files[2], files[3], "fashion-mnist:test");
        if (verifyChecksums)
            for (int i = 0; i < 4; i++)
                VerifyChecksum(files[i], FileNames[i]);
        return new FashionMnistData(train, test, dir, "folder", watch.Elapsed.TotalSeconds);
    }

    /// <summary>Throws a <see cref="DataException"/> when a file's content is not the original's.</summary>
    public static void VerifyChecksum(IdxFile file, string baseName)
    {
        var expected = ContentSha256[baseName];
        if (file.Sha256 != expected)
            throw new DataException(
                $"{file.Path}: content SHA-256 is {file.Sha256}, but the original {baseName} has {expected}. " +
                $"The file is damaged or is not Fashion-MNIST (plain MNIST has the same names). Delete it and fetch it again (apt-get install --reinstall {AptPackage}, or the download).", file.Path);
    }

    static Dataset Build(IdxFile images, IdxFile labels, string id)
    {
        if (images.Dimensions.Length != 3 || images.Dimensions[1] != 28 || images.Dimensions[2] != 28)
            throw new DataException($"{images.Path}: images are {string.Join(" x ", images.Dimensions.Skip(1))}, expected 28 x 28.", images.Path);
        if (images.Count != labels.Count)
            throw new DataException($"{images.Path} holds {images.Count:N0} images but {labels.Path} holds {labels.Count:N0} labels; they must match. One of the two files belongs to another set (train vs t10k).", labels.Path);
        int bad = Array.FindIndex(labels.Bytes, b => b >= ClassNames.Length);
        if (bad >= 0)
            throw new DataException($"{labels.Path}: label {labels.Bytes[bad]} at position {bad:N0} is outside 0..{ClassNames.Length - 1}. This is not a Fashion-MNIST label file.", labels.Path);
        using var scope = NewDisposeScope();
        var x = ScaledImages(images.Bytes, images.Count).MoveToOuterDisposeScope();
        var y = tensor(labels.Bytes, ScalarType.Byte).to_type(ScalarType.Int64).MoveToOuterDisposeScope();
        return new Dataset(x, y, ClassNames, id);
    }

    /// <summary>float(b) / 255 for each byte value b: the float32 division that to_type(Float32).div_(255) does (a test checks every value).</summary>
    static readonly float[] PixelScale = Enumerable.Range(0, 256).Select(b => (float)b / 255f).ToArray();

    /// <summary>
    /// Pixels as float32 [N, 1, 28, 28] in [0, 1], written straight into the tensor's memory by a table
    /// lookup, in parallel blocks. The same values as tensor(bytes).to_type(Float32).div_(255), without
    /// the byte tensor (a 47 MB copy) and the second pass over 188 MB of floats.
    /// </summary>
    static unsafe Tensor ScaledImages(byte[] pixels, int count)
    {
        var x = empty(new long[] { count, 1, 28, 28 }, ScalarType.Float32);
        if (pixels.Length == 0) return x;
        nint destination;
        fixed (byte* p = x.bytes) destination = (nint)p; // libtorch's memory: the GC never moves it
        const int block = 1 << 20;
        Parallel.For(0, (pixels.Length + block - 1) / block, i =>
        {
            float* d = (float*)destination;
            var scale = PixelScale;
            for (int k = i * block, end = Math.Min(pixels.Length, k + block); k < end; k++) d[k] = scale[pixels[k]];
        });
        return x;
    }

    /// <summary>How long a download may wait for the server's answer or for the next bytes of the body.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Downloads the missing files into <paramref name="targetDir"/>, each to a temporary file that is
    /// checked (IDX structure and content SHA-256) and only then renamed into place. A failure leaves
    /// no partial file behind, and .part files of downloads that were killed are removed first.
    /// A server that does not answer, or stops sending, for <paramref name="stallTimeout"/>
    /// (default <see cref="DefaultStallTimeout"/>) fails the download instead of hanging it.
    /// </summary>
    public static void Download(string targetDir, Uri mirror, Action<string>? log = null, TimeSpan? stallTimeout = null)
    {
        log ??= Console.WriteLine;
        var stall = stallTimeout ?? DefaultStallTimeout;
        Directory.CreateDirectory(targetDir);
        RemoveAbandonedParts(targetDir);
        // No overall limit (a slow link may need long for 26 MB); each wait is bounded by `stall` instead.
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        foreach (var baseName in MissingFiles(targetDir))
        {
            var fileName = baseName + ".gz";
            var url = new Uri(mirror, fileName);
            var final = Path.Combine(targetDir, fileName);
            var temp = Path.Combine(targetDir, $".{fileName}.{Leftovers.NewTag()}.part");
            try
            {
                using (var response = Within(stall, t => http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, t),
                           $"{url} did not answer within {stall.TotalSeconds:0} s"))
                {
                    if (!response.IsSuccessStatusCode)
                        throw new DataException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}", final);
                    long? total = response.Content.Headers.ContentLength;
                    using var input = response.Content.ReadAsStream();
                    using var output = File.Create(temp);
                    var buffer = new byte[1 << 16];
                    long done = 0;
                    int lastTenth = -1;
                    int n;
                    while ((n = Within(stall, t => input.ReadAsync(buffer, t).AsTask(),
                               $"{url}: the download stalled after {done:N0} bytes (nothing for {stall.TotalSeconds:0} s)")) > 0)
                    {
                        output.Write(buffer, 0, n);
                        done += n;
                        int tenth = total is > 0 ? (int)(done * 10 / total.Value) : -1;
                        if (tenth != lastTenth && tenth >= 0)
                        {
                            lastTenth = tenth;
                            log($"  {fileName} [{new string('#', tenth * 2)}{new string('.', 20 - tenth * 2)}] {done / 1e6:F1}/{total / 1e6:F1} MB");
                        }
                    }
                    if (total is { } t && done != t)
                        throw new DataException($"{url}: the connection closed after {done:N0} of {t:N0} bytes", final);
                }
                var file = baseName.Contains("images") ? Idx.ReadImages(temp) : Idx.ReadLabels(temp);
                VerifyChecksum(file, baseName);
                File.Move(temp, final, overwrite: true);
                log($"  {fileName}: downloaded and verified (SHA-256 {file.Sha256[..12]}...)");
            }
            catch (Exception e)
            {
                TryDelete(temp);
                if (e is DataException de && de.Message.StartsWith(temp, StringComparison.Ordinal))
                    throw new DataException(de.Message.Replace(temp, url.ToString()), final, e);
                throw e as DataException ?? new DataException($"downloading {url} failed: {e.Message}", final, e);
            }
        }
    }

    /// <summary>Waits for one network step; one that takes longer than <paramref name="limit"/> is cancelled and reported as <paramref name="stalled"/>.</summary>
    static T Within<T>(TimeSpan limit, Func<CancellationToken, Task<T>> step, string stalled)
    {
        using var cancel = new CancellationTokenSource(limit);
        try { return step(cancel.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new DataException($"{stalled}. Check the connection or the mirror ({MirrorVariable}), then run `dotnet run --project tools/Workbook -- data` again.");
        }
    }

    /// <summary>Removes .part files of downloads whose process is gone (killed or crashed).</summary>
    static void RemoveAbandonedParts(string dir)
    {
        foreach (var part in Directory.EnumerateFiles(dir, ".*.part"))
        {
            // .{name}.gz.{pid}-{hex}.part, or .{name}.gz.{guid}.part from older versions (no owner id).
            var name = Path.GetFileName(part);
            var tag = Path.GetExtension(Path.GetFileNameWithoutExtension(name)).TrimStart('.');
            if (Leftovers.IsAbandoned(part, Leftovers.OwnerOf(tag))) TryDelete(part);
        }
    }

    static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { }
    }

    /// <summary>
    /// Report 002's relabeling of Fashion-MNIST into five classes, as the report's own analysis found it:
    /// 0 = sneaker; 1 = trouser and ankle boot; 2 = T-shirt/top, pullover, dress, coat, shirt; 3 = bag; 4 = sandal.
    /// Index: original label; value: new label.
    /// </summary>
    public static readonly long[] FiveClassMapping = [2, 1, 2, 2, 2, 4, 2, 0, 3, 1];

    /// <summary>Names of the five classes of <see cref="FiveClassMapping"/>.</summary>
    public static readonly string[] FiveClassNames =
        ["0: sneaker", "1: trouser + ankle boot", "2: tops, dresses, coats", "3: bag", "4: sandal"];

    /// <summary>Applies <see cref="FiveClassMapping"/>.</summary>
    public static Dataset ToFiveClasses(Dataset tenClass) => tenClass.Relabel(FiveClassMapping, FiveClassNames, "five-class");
}

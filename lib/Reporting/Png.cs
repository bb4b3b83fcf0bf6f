using System.IO.Compression;

namespace Workbook.Reporting;

/// <summary>A minimal PNG encoder (8-bit grey or RGB), enough for image galleries without a native imaging library.</summary>
public static class Png
{
    /// <summary>Encodes pixels (row-major; 1 byte per pixel for grey, 3 for RGB).</summary>
    public static byte[] Encode(int width, int height, byte[] pixels, bool rgb)
    {
        int channels = rgb ? 3 : 1;
        if (pixels.Length != width * height * channels)
            throw new ArgumentException($"expected {width * height * channels} bytes for {width}x{height}x{channels}, got {pixels.Length}");
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        WriteInt(header, 0, width);
        WriteInt(header, 4, height);
        header[8] = 8; // bit depth
        header[9] = (byte)(rgb ? 2 : 0); // colour type
        Chunk(png, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(pixels, y * width * channels, width * channels);
            }
        }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Encodes values in [0, 1] (clipped) as grey or RGB (channel-last) pixels.</summary>
    public static byte[] Encode(int width, int height, float[] values, bool rgb) =>
        Encode(width, height, values.Select(v => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f)).ToArray(), rgb);

    static void WriteInt(byte[] b, int at, int v) { b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v; }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        WriteInt(len, 0, data.Length);
        s.Write(len);
        var typeAndData = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++) typeAndData[i] = (byte)type[i];
        Buffer.BlockCopy(data, 0, typeAndData, 4, data.Length);
        s.Write(typeAndData);
        var crc = new byte[4];
        WriteInt(crc, 0, (int)Workbook.Runtime.Crc32.Compute(typeAndData));
        s.Write(crc);
    }

    /// <summary>A data: URI for an &lt;img&gt; tag.</summary>
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}

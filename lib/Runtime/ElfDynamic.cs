using System.Buffers.Binary;
using System.Text;

namespace Workbook.Runtime;

/// <summary>
/// The few facts of a 64-bit little-endian ELF shared library that the external-libtorch check needs:
/// its soname and the symbols it imports. Reads only headers and the dynamic tables (seeking, so a
/// 450 MB libtorch_cpu.so costs a few kilobytes of reads).
/// </summary>
public sealed class ElfDynamic
{
    const uint ShtDynamic = 6, ShtDynsym = 11, ShtGnuVersym = 0x6fffffff;
    const long DtSoname = 14;
    const int StbGlobal = 1;

    /// <summary>DT_SONAME, or null when the library has none.</summary>
    public string? Soname { get; private init; }

    /// <summary>
    /// Undefined, global (not weak), unversioned dynamic symbols: what the library expects another
    /// library without symbol versions (libtorch, libc10) to define. Versioned imports (glibc,
    /// libstdc++) are left out: they come from the system, not from libtorch.
    /// </summary>
    public IReadOnlyList<string> UnversionedImports { get; private init; } = [];

    /// <summary>Reads <paramref name="path"/> (symbolic links followed); throws InvalidDataException when it is not a 64-bit little-endian ELF file.</summary>
    public static ElfDynamic Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        var ident = ReadAt(file, 0, 64);
        if (ident.Length < 64 || ident[0] != 0x7f || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            throw new InvalidDataException($"{path} is not an ELF file");
        if (ident[4] != 2 || ident[5] != 1)
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(ident.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(ident.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(ident.AsSpan(0x3C));
        if (shoff == 0 || shnum == 0 || shentsize < 64) throw new InvalidDataException($"{path} has no section headers");
        var table = ReadAt(file, shoff, shnum * shentsize);
        var sections = Enumerable.Range(0, shnum).Select(i =>
        {
            var s = table.AsSpan(i * shentsize, 64);
            return (Type: BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
                    Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
                    Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
                    Link: (int)BinaryPrimitives.ReadUInt32LittleEndian(s[40..]));
        }).ToArray();

        string? soname = null;
        var imports = new List<string>();
        foreach (var dynamic in sections.Where(s => s.Type == ShtDynamic))
        {
            var strtab = sections[dynamic.Link];
            var entries = ReadAt(file, dynamic.Offset, (int)dynamic.Size);
            for (int i = 0; i + 16 <= entries.Length; i += 16)
            {
                long tag = BinaryPrimitives.ReadInt64LittleEndian(entries.AsSpan(i));
                if (tag == 0) break;
                if (tag == DtSoname)
                    soname = StringAt(file, strtab.Offset + (long)BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i + 8)));
            }
        }
        var dynsymIndex = Array.FindIndex(sections, s => s.Type == ShtDynsym);
        if (dynsymIndex >= 0)
        {
            var dynsym = sections[dynsymIndex];
            var names = ReadAt(file, sections[dynsym.Link].Offset, (int)sections[dynsym.Link].Size);
            var symbols = ReadAt(file, dynsym.Offset, (int)dynsym.Size);
            var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
            var versions = versym.Size > 0 ? ReadAt(file, versym.Offset, (int)versym.Size) : [];
            int count = symbols.Length / 24;
            for (int i = 1; i < count; i++)
            {
                var sym = symbols.AsSpan(i * 24, 24);
                int bind = sym[4] >> 4;
                ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                if (shndx != 0 || bind != StbGlobal) continue;
                // 0 (local) and 1 (global) mean no version; 2 and up name a version need.
                int version = versions.Length >= 2 * (i + 1) ? BinaryPrimitives.ReadUInt16LittleEndian(versions.AsSpan(2 * i)) & 0x7fff : 1;
                if (version > 1) continue;
                int nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(sym);
                int end = Array.IndexOf(names, (byte)0, nameOffset);
                if (end > nameOffset) imports.Add(Encoding.UTF8.GetString(names, nameOffset, end - nameOffset));
            }
        }
        return new ElfDynamic { Soname = soname, UnversionedImports = imports };
    }

    static byte[] ReadAt(FileStream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Seek(offset, SeekOrigin.Begin);
        int read = 0;
        while (read < count)
        {
            int n = file.Read(buffer, read, count - read);
            if (n == 0) throw new InvalidDataException($"{file.Name} ends inside its ELF tables (truncated?)");
            read += n;
        }
        return buffer;
    }

    static string StringAt(FileStream file, long offset)
    {
        var bytes = new List<byte>();
        file.Seek(offset, SeekOrigin.Begin);
        for (int b = file.ReadByte(); b > 0 && bytes.Count < 4096; b = file.ReadByte()) bytes.Add((byte)b);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}

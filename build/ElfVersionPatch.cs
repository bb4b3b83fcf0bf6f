// Marks an ELF version requirement weak so that the dynamic loader accepts a library whose
// declared need is missing on this system. Used by build/TorchSharpNative.targets (compiled as an
// MSBuild inline task, so this file sticks to what netstandard2.0 and older C# offer) and by the
// unit tests (compiled with ELF_PATCH_TESTS, which leaves the MSBuild task out).
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so lists GLIBCXX_3.4.32 (GCC 13) among its needs, while
// Debian 12's libstdc++ stops at 3.4.30. The only symbol behind that version,
// std::ios_base_library_init(), is referenced but never relocated or called, so a weak requirement
// (VER_FLG_WEAK on its vernaux entry) lets glibc load the library, which then works normally.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WorkbookBuild
{
    /// <summary>One entry of an ELF file's version-needs table (.gnu.version_r).</summary>
    public sealed class VersionNeed
    {
        /// <summary>The library the need is on, e.g. libstdc++.so.6.</summary>
        public string File = "";
        /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
        public string Version = "";
        /// <summary>The vna_flags field.</summary>
        public ushort Flags;
        /// <summary>Byte offset of vna_flags in the file.</summary>
        public long FlagsOffset;
        /// <summary>True when VER_FLG_WEAK is set: the loader tolerates its absence.</summary>
        public bool Weak { get { return (Flags & ElfVersions.VerFlgWeak) != 0; } }
    }

    /// <summary>Reads the version tables of 64-bit little-endian ELF files and marks needs weak.</summary>
    public static class ElfVersions
    {
        /// <summary>VER_FLG_WEAK from elf.h.</summary>
        public const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerdef = 0x6ffffffd;
        const uint ShtGnuVerneed = 0x6ffffffe;

        sealed class Section { public uint Type; public long Offset; public long Size; public uint Link; public uint Info; }

        static List<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file (bad magic)");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException("section header table lies outside the file");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                int h = (int)(shoff + (long)i * shentsize);
                list.Add(new Section
                {
                    Type = BitConverter.ToUInt32(elf, h + 4),
                    Offset = (long)BitConverter.ToUInt64(elf, h + 24),
                    Size = (long)BitConverter.ToUInt64(elf, h + 32),
                    Link = BitConverter.ToUInt32(elf, h + 40),
                    Info = BitConverter.ToUInt32(elf, h + 44),
                });
            }
            return list;
        }

        static string CString(byte[] elf, long at)
        {
            long end = at;
            while (end < elf.Length && elf[end] != 0) end++;
            if (end >= elf.Length) throw new InvalidDataException("string runs past the end of the file");
            return Encoding.ASCII.GetString(elf, (int)at, (int)(end - at));
        }

        /// <summary>Every version need of the file (empty when it has no .gnu.version_r).</summary>
        public static List<VersionNeed> ReadNeeds(byte[] elf)
        {
            var result = new List<VersionNeed>();
            var sections = Sections(elf);
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                long strtab = sections[(int)s.Link].Offset;
                long vn = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int j = 0; j < cnt; j++)
                    {
                        result.Add(new VersionNeed
                        {
                            File = file,
                            Flags = BitConverter.ToUInt16(elf, (int)aux + 4),
                            FlagsOffset = aux + 4,
                            Version = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8)),
                        });
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return result;
        }

        /// <summary>The version names a library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static HashSet<string> ReadDefinitions(byte[] elf)
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            var sections = Sections(elf);
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerdef) continue;
                long strtab = sections[(int)s.Link].Offset;
                long vd = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    int cnt = BitConverter.ToUInt16(elf, (int)vd + 6);
                    long aux = vd + BitConverter.ToUInt32(elf, (int)vd + 12);
                    if (cnt > 0) result.Add(CString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux)));
                    uint next = BitConverter.ToUInt32(elf, (int)vd + 16);
                    if (next == 0) break;
                    vd += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Returns a copy of <paramref name="elf"/> in which the need for <paramref name="version"/> of
        /// <paramref name="file"/> is weak. Only the two-byte flags field changes.
        /// </summary>
        public static byte[] MarkWeak(byte[] elf, string file, string version)
        {
            foreach (var need in ReadNeeds(elf))
            {
                if (need.File != file || need.Version != version) continue;
                var copy = (byte[])elf.Clone();
                var flags = (ushort)(need.Flags | VerFlgWeak);
                copy[need.FlagsOffset] = (byte)(flags & 0xff);
                copy[need.FlagsOffset + 1] = (byte)(flags >> 8);
                return copy;
            }
            throw new InvalidDataException("no need for " + version + " of " + file + " in this file");
        }

        /// <summary>Where the dynamic loader finds libstdc++.so.6 on this machine, or null.</summary>
        public static string FindSystemLibStdCxx()
        {
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo("/sbin/ldconfig", "-p")
                { RedirectStandardOutput = true, UseShellExecute = false };
                using (var p = System.Diagnostics.Process.Start(psi))
                {
                    string output = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    foreach (var line in output.Split('\n'))
                    {
                        var t = line.Trim();
                        if (t.StartsWith("libstdc++.so.6 ") && t.Contains("x86-64") && t.Contains("=> "))
                            return t.Substring(t.IndexOf("=> ", StringComparison.Ordinal) + 3).Trim();
                    }
                }
            }
            catch (Exception) { /* no ldconfig: fall back to the usual places */ }
            foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6" })
                if (System.IO.File.Exists(candidate)) return candidate;
            return null;
        }
    }

    /// <summary>What <see cref="NativeFix.Apply"/> did to one file.</summary>
    public sealed class NativeFixResult
    {
        public string Path = "";
        public string Action = ""; // patched, already-patched, not-needed, cannot-fix
        public string Message = "";
    }

    /// <summary>The fix itself, kept apart from MSBuild so that tests can call it.</summary>
    public static class NativeFix
    {
        /// <summary>The only needs this fix may weaken: verified unused by libLibTorchSharp.so.</summary>
        public static readonly string[] Weakenable = { "GLIBCXX_3.4.32" };

        /// <summary>
        /// Weakens, in <paramref name="libraryPath"/>, the libstdc++ needs that <paramref name="systemDefinitions"/>
        /// lacks and that are known to be safe. The file is replaced (written beside, then renamed), never
        /// edited in place, so a hard link into the NuGet cache is broken rather than written through.
        /// </summary>
        public static NativeFixResult Apply(string libraryPath, HashSet<string> systemDefinitions)
        {
            var result = new NativeFixResult { Path = libraryPath };
            byte[] bytes = File.ReadAllBytes(libraryPath);
            var missing = new List<VersionNeed>();
            foreach (var need in ElfVersions.ReadNeeds(bytes))
                if (need.File == "libstdc++.so.6" && !systemDefinitions.Contains(need.Version))
                    missing.Add(need);
            if (missing.Count == 0)
            {
                result.Action = "not-needed";
                result.Message = "the system libstdc++ has every version it needs";
                return result;
            }
            var unfixable = new List<string>();
            var toPatch = new List<string>();
            foreach (var need in missing)
            {
                if (need.Weak) continue;
                if (Array.IndexOf(Weakenable, need.Version) >= 0) toPatch.Add(need.Version);
                else unfixable.Add(need.Version);
            }
            if (unfixable.Count > 0)
            {
                result.Action = "cannot-fix";
                result.Message = "needs " + string.Join(", ", unfixable) + " from libstdc++.so.6, which this system lacks and which is not known to be safe to weaken; use a newer OS (Ubuntu 24.04, Debian 13) or the devcontainer";
                return result;
            }
            if (toPatch.Count == 0)
            {
                result.Action = "already-patched";
                result.Message = "the " + string.Join(", ", MissingNames(missing)) + " need is already weak";
                return result;
            }
            foreach (var version in toPatch) bytes = ElfVersions.MarkWeak(bytes, "libstdc++.so.6", version);
            string temp = libraryPath + ".weak-tmp";
            File.WriteAllBytes(temp, bytes);
            File.Delete(libraryPath);
            File.Move(temp, libraryPath);
            result.Action = "patched";
            result.Message = "marked the libstdc++ need for " + string.Join(", ", toPatch) + " weak (the system libstdc++ lacks it; its only symbol is never called)";
            return result;
        }

        static IEnumerable<string> MissingNames(List<VersionNeed> needs)
        {
            foreach (var n in needs) yield return n.Version;
        }
    }

#if !ELF_PATCH_TESTS
    /// <summary>MSBuild task: applies <see cref="NativeFix"/> to every libLibTorchSharp.so below a folder.</summary>
    public class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; }

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
                return true;
            if (!System.IO.Directory.Exists(Directory)) return true;
            var libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
            if (libraries.Length == 0) return true;
            string libstdcxx = ElfVersions.FindSystemLibStdCxx();
            if (libstdcxx == null)
            {
                Log.LogWarning("TorchSharp native fix: no libstdc++.so.6 found on this system; TorchSharp will not load until one is installed (apt-get install libstdc++6).");
                return true;
            }
            var definitions = ElfVersions.ReadDefinitions(File.ReadAllBytes(libstdcxx));
            foreach (var library in libraries)
            {
                NativeFixResult r;
                try { r = NativeFix.Apply(library, definitions); }
                catch (Exception e)
                {
                    Log.LogWarning("TorchSharp native fix: could not read " + library + ": " + e.Message);
                    continue;
                }
                var text = "TorchSharp native fix: " + r.Action + ": " + library + ": " + r.Message + " (system libstdc++: " + libstdcxx + ")";
                if (r.Action == "cannot-fix") Log.LogWarning(text);
                else if (r.Action == "patched") Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, text);
                else Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, text);
            }
            return true;
        }
    }
#endif
}

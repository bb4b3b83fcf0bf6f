using Xunit;

namespace Workbook.Tests;

public class MemoryGuardTests
{
    [Fact]
    public void The_guard_names_the_running_test_once_memory_is_over_the_cap_and_stays_quiet_below_it()
    {
        long cap = 12L << 30;
        Assert.Null(MemoryGuard.Verdict(cap, cap, "Some.Test", 3));
        var message = MemoryGuard.Verdict(cap + (1L << 30), cap, "Some.Test", 42);
        Assert.NotNull(message);
        Assert.Contains("while running Some.Test (for 42 s)", message);
        Assert.Contains(MemoryGuard.CapVariable, message);
        Assert.Contains("between tests", MemoryGuard.Verdict(cap + 1, cap, null, 0));
    }

    [Fact]
    public void The_cap_is_read_in_gigabytes_defaults_to_most_of_the_machine_and_rejects_nonsense()
    {
        Assert.Equal(12L << 30, MemoryGuard.Cap("12", 24L << 30));
        Assert.Equal((long)((24L << 30) * 0.6), MemoryGuard.Cap(null, 24L << 30));
        var e = Assert.Throws<ArgumentException>(() => MemoryGuard.Cap("lots", 24L << 30));
        Assert.Contains("in GB", e.Message);
        Assert.Throws<ArgumentException>(() => MemoryGuard.Cap("-1", 24L << 30));
    }

    [Fact]
    public void This_process_reports_a_plausible_resident_size_and_the_guard_logs_each_test()
    {
        long rss = MemoryGuard.ResidentBytes();
        Assert.InRange(rss, 10L << 20, MemoryGuard.CapBytes);
        // This test's own line is written after it ends; the log may not exist yet when it runs first.
        if (File.Exists(MemoryGuard.LogPath)) Assert.StartsWith("test\tstart_mb\tpeak_mb", File.ReadLines(MemoryGuard.LogPath).First());
    }
}

using System.Collections.Concurrent;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Issue 17, items 5 and 7: the run cache under concurrent commits of one key, and the temporary
/// folders of runs that were killed.
/// </summary>
public sealed class RunStoreRaceTests : IDisposable
{
    readonly RunStore store = TestData.TempStore();
    public void Dispose() { try { Directory.Delete(store.Root, true); } catch (IOException) { } }

    static void Commit(RunStore store, string key)
    {
        using var writer = store.Create(key);
        writer.WriteJson("spec.json", new { Key = key });
        File.WriteAllBytes(writer.PathOf("weights.bin"), new byte[4096]);
        writer.Commit();
    }

    // Item 5: two writers commit the same key over and over while a reader opens it. No commit may
    // throw, and once an entry exists no reader may find it missing or damaged (and discard it).
    [Fact]
    public void Concurrent_commits_of_one_key_never_throw_nor_lose_the_entry()
    {
        const string key = "0123456789abcdef0123";
        Commit(store, key);
        // Failures are counted, and only the first few kept: a reader that finds the entry missing spins, and
        // queueing a message per spin once grew the test host to 24 GB before the OOM killer stopped it.
        var errors = new ConcurrentQueue<string>();
        long failures = 0;
        void Fail(string message)
        {
            if (Interlocked.Increment(ref failures) <= 10) errors.Enqueue(message);
        }
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 300; i++)
                try { Commit(store, key); }
                catch (Exception e) { Fail($"commit: {e.GetType().Name}: {e.Message}"); }
        })).ToArray();
        long reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                reads++;
                if (store.Open(key) is null) Fail("open: the entry was missing or discarded");
            }
        });
        Task.WaitAll(writers);
        stop.Cancel();
        reader.Wait();
        Assert.True(failures == 0, $"{failures} failures in 600 commits and {reads} reads, e.g. {string.Join("; ", errors.Distinct().Take(3))}");
        Assert.NotNull(store.Open(key));
        // No temporary folder is left behind by the commits that lost the race.
        Assert.Empty(Directory.GetDirectories(store.Root, ".*"));
    }

    // Item 5: a damaged entry is still replaced by a new commit.
    [Fact]
    public void A_commit_replaces_a_damaged_entry()
    {
        const string key = "abcdefabcdefabcdef00";
        Commit(store, key);
        File.WriteAllText(Path.Combine(store.Root, key, "weights.bin"), "damaged");
        Commit(store, key);
        var entry = store.Open(key);
        Assert.NotNull(entry);
        Assert.Equal(4096, entry!.ReadBytes("weights.bin").Length);
    }

    // Item 7: a .tmp-* folder of a process that died (SIGKILL at the wrong moment) is removed the next
    // time the store is written; one of a live process, and one too recent to judge, are kept.
    [Fact]
    public void Temporary_folders_of_dead_runs_are_removed_and_live_ones_kept()
    {
        Directory.CreateDirectory(store.Root);
        var dead = Path.Combine(store.Root, $".tmp-aaaa-{HostileDataTests.DeadProcessId()}-0123456789abcdef");
        var live = Path.Combine(store.Root, $".tmp-bbbb-{Environment.ProcessId}-0123456789abcdef");
        var oldStyle = Path.Combine(store.Root, ".tmp-cccc-0123456789abcdef0123456789abcdef");
        var recentOldStyle = Path.Combine(store.Root, ".tmp-dddd-fedcba9876543210fedcba9876543210");
        foreach (var d in new[] { dead, live, oldStyle, recentOldStyle })
        {
            Directory.CreateDirectory(d);
            File.WriteAllText(Path.Combine(d, "weights.bin"), "half");
        }
        Directory.SetLastWriteTimeUtc(oldStyle, DateTime.UtcNow.AddDays(-2));

        Commit(store, "eeeeeeeeeeeeeeeeeeee");

        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(oldStyle));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(recentOldStyle));
    }
}

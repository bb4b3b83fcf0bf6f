using System.Runtime.InteropServices;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>The process-wide native settings of NativeRuntime.</summary>
public class RuntimeTuningTests
{
    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [Fact]
    public void The_OpenMp_wait_policy_is_the_users_or_chosen_from_the_load_and_malloc_is_tuned()
    {
        NativeRuntime.EnsureTorch();
        var policy = NativeRuntime.OpenMpWaitPolicy;
        Assert.True(policy.EndsWith("(OMP_WAIT_POLICY)") || policy.StartsWith("GOMP_SPINCOUNT=")
            || policy.StartsWith("PASSIVE (chosen: load average ") || policy.StartsWith("libgomp default (spin"), policy);
        if (policy.StartsWith("PASSIVE (chosen"))
        {
            // Set where libgomp reads it (the C environment), not only in .NET's copy.
            Assert.Equal("PASSIVE", Marshal.PtrToStringUTF8(getenv("OMP_WAIT_POLICY")));
            Assert.Equal("PASSIVE", Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"));
        }
        Assert.True(NativeRuntime.MallocTuned);
    }

    // Issue 17 item 10: libgomp's spinning made an MLP epoch 6-90 s instead of 1-4 s on a busy machine.
    [Theory]
    [InlineData(null, null, 0.05, false, null, "libgomp default (spin; chosen: load average 0.05 at start")]  // idle: the fast choice
    [InlineData(null, null, 0.49, false, null, "libgomp default (spin; chosen: load average 0.49")]
    [InlineData(null, null, 0.5, false, "PASSIVE", "PASSIVE (chosen: load average 0.5 at start")]       // one other busy process: about 1
    [InlineData(null, null, 1.02, false, "PASSIVE", "PASSIVE (chosen: load average 1.02 at start")]
    [InlineData(null, null, 14.7, false, "PASSIVE", "PASSIVE (chosen: load average 14.7 at start")]
    [InlineData("ACTIVE", null, 14.7, false, null, "ACTIVE (OMP_WAIT_POLICY)")]                     // the user's setting wins
    [InlineData("passive", null, 0.0, false, null, "passive (OMP_WAIT_POLICY)")]
    [InlineData(null, "10000", 14.7, false, null, "GOMP_SPINCOUNT=10000")]
    [InlineData(null, null, 14.7, true, null, "libgomp default (spin; libgomp was loaded before")]   // too late to choose
    [InlineData(null, null, null, false, null, "libgomp default (spin; load average unknown)")]
    public void The_OpenMp_wait_policy_follows_the_users_variables_else_the_load_at_start(string? policy, string? spins, double? load,
        bool loaded, string? expectedPolicy, string description)
    {
        var choice = NativeRuntime.ChooseOpenMpWait(policy, spins, load, loaded);
        Assert.Equal(expectedPolicy, choice.Value);
        Assert.Equal(expectedPolicy == null ? null : "OMP_WAIT_POLICY", choice.Variable);
        Assert.StartsWith(description, choice.Description);
    }
}

/// <summary>Freed tensor buffers stay with the process when training runs on a thread-pool thread.</summary>
[Collection(TrainingCollection.Name)]
public class ArenaPageFaultTests
{
    static long MinorFaults() => long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7]);

    [Fact]
    public async Task Cnn_batches_on_a_pool_thread_do_not_fault_their_buffers_back_in()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativeRuntime.EnsureTorch();
        var train = TestData.Real.Train.Subset(64 * 40, seed: 1);
        // Notebooks train on thread-pool threads, whose allocations come from glibc's per-thread arenas.
        var faultsPerBatch = await Task.Run(() =>
        {
            TorchSharp.torch.manual_seed(0);
            // Long-lived data that nearly fills this thread's first 64 MiB arena heap, as the runs before
            // it do in a notebook, so each batch's activations need a second heap that empties every batch.
            using var ballast = TorchSharp.torch.ones(40L << 18); // 40 MiB of float32
            var model = Workbook.Models.ModelZoo.Build("net8");
            var parameters = model.parameters().ToList();
            using var optimizer = Workbook.Training.Optimizer.For(new Workbook.Training.TrainSpec { Model = "net8" }, parameters);
            long start = 0;
            for (int b = 0; b < 40; b++)
            {
                if (b == 10) start = MinorFaults(); // after warm-up
                using var scope = TorchSharp.torch.NewDisposeScope();
                using var idx = TorchSharp.torch.arange(b * 64, (b + 1) * 64, dtype: TorchSharp.torch.int64);
                foreach (var p in parameters) p.grad = null;
                var loss = Workbook.Models.Losses.Compute(Workbook.Models.LossKind.CrossEntropy, model.call(train.Images.index_select(0, idx)), train.Labels.index_select(0, idx));
                loss.backward();
                optimizer.Step();
            }
            return (MinorFaults() - start) / 30.0;
        });
        // Measured here: ~1,800 faults per batch without NativeRuntime's top pad, ~3 with it.
        Assert.True(faultsPerBatch < 250, $"{faultsPerBatch:F0} minor page faults per batch: freed tensor buffers are going back to the OS");
    }
}

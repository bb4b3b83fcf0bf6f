using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>The process-wide native settings of NativeRuntime.</summary>
public class RuntimeTuningTests
{
    [Fact]
    public void The_OpenMp_wait_policy_is_the_users_or_libgomps_default_and_malloc_is_tuned()
    {
        NativeRuntime.EnsureTorch();
        var policy = NativeRuntime.OpenMpWaitPolicy;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } p)
            Assert.Equal($"{p} (OMP_WAIT_POLICY)", policy);
        else if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null)
            Assert.Equal("libgomp default (spin)", policy);
        Assert.True(NativeRuntime.MallocTuned);
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

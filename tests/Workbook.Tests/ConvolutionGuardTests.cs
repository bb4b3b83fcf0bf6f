using System.Runtime.InteropServices;
using TorchSharp;
using Workbook.Data;
using Workbook.Models;
using Workbook.Runtime;
using Workbook.Training;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests;

/// <summary>
/// Convolutions with channel counts that oneDNN pads must still compute the right numbers: the guard
/// switches oneDNN off for the models that have them (ConvolutionGuard's remarks say why).
/// </summary>
[Collection(TrainingCollection.Name)]
public class ConvolutionGuardTests
{
    [Theory]
    [InlineData("googlenet-small", true)]
    [InlineData("cnn-8", true)]
    [InlineData("e1", false)]
    [InlineData("e5", false)]
    [InlineData("e7", false)]
    [InlineData("net8", false)]
    [InlineData("cnn004", false)]
    [InlineData("resnet-small", false)]
    [InlineData("net2", false)]
    public void Models_with_unaligned_convolutions_are_the_ones_guarded(string name, bool guarded)
    {
        using var model = ModelZoo.Build(name, 10);
        Assert.Equal(guarded, ConvolutionGuard.NeedsPlainKernels(model));
    }

    [Fact]
    public void The_scope_switches_oneDNN_off_and_restores_it()
    {
        Assert.True(ConvolutionGuard.OneDnnEnabled);
        using (var cnn = ModelZoo.Build("cnn-8", 10))
        using (ConvolutionGuard.For(cnn))
            Assert.False(ConvolutionGuard.OneDnnEnabled);
        Assert.True(ConvolutionGuard.OneDnnEnabled);
        using (var e1 = ModelZoo.Build("e1", 10))
        using (ConvolutionGuard.For(e1))
            Assert.True(ConvolutionGuard.OneDnnEnabled);
    }

    /// <summary>
    /// Float32 convolutions in the guard against the same ones in float64 (which never go to oneDNN),
    /// with libtorch's allocator filling new memory with NaN so that any read of unwritten memory shows.
    /// Without the guard, on the development machine (AVX-512) every one of these came back NaN.
    /// </summary>
    [Theory]
    [InlineData(1, 8, 28)]   // report 000's CNN
    [InlineData(1, 24, 28)]  // the GoogLeNet stem
    [InlineData(24, 8, 14)]  // an inception branch
    [InlineData(4, 8, 14)]
    [InlineData(1, 32, 28)]  // aligned: oneDNN stays on
    [InlineData(32, 64, 14)]
    public void Guarded_convolutions_match_double_precision(int inChannels, int outChannels, int size)
    {
        using var junk = new JunkFill();
        manual_seed(1);
        using var conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1L, bias: false);
        using var conv64 = nn.Conv2d(inChannels, outChannels, 3, padding: 1L, bias: false, dtype: float64);
        using (no_grad()) conv64.weight!.copy_(conv.weight!);
        for (int trial = 0; trial < 5; trial++)
        {
            using var scope = NewDisposeScope();
            var x = randn(32, inChannels, size, size);
            var (y, dx, dw) = Run(conv, x);
            var (y64, dx64, dw64) = Run(conv64, x.to(float64));
            AssertClose(y64, y, "output");
            AssertClose(dx64, dx, "input gradient");
            AssertClose(dw64, dw, "weight gradient");
        }
    }

    static (Tensor Y, Tensor Dx, Tensor Dw) Run(nn.Module<Tensor, Tensor> conv, Tensor input)
    {
        using var kernels = ConvolutionGuard.For(conv);
        conv.zero_grad();
        var x = input.detach().requires_grad_(true);
        var y = conv.call(x);
        y.square().sum().backward();
        var weight = conv.parameters().First();
        return (y.detach(), x.grad!.detach(), weight.grad!.detach().clone());
    }

    static void AssertClose(Tensor expected64, Tensor actual32, string what)
    {
        var actual = actual32.to(float64);
        Assert.False(actual.isnan().any().item<bool>(), $"{what}: NaN");
        double scale = expected64.abs().max().item<double>();
        double error = (actual - expected64).abs().max().item<double>() / scale;
        Assert.True(error < 1e-4, $"{what}: largest error {error:E2} of the largest value");
    }

    [Fact]
    public void GoogLeNet_trains_without_diverging()
    {
        // Before the guard this run diverged (NaN loss) within the first 5 batches on the development machine.
        var train = FashionMnist.ToFiveClasses(TestData.Real.Train.Subset(640, seed: 2));
        var spec = new TrainSpec
        {
            Model = "googlenet-small", Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32,
            Epochs = 1, Seed = 0, TestEveryEpoch = false,
        };
        var run = Trainer.Train(spec, train, cache: new RunCache(TestData.TempStore()));
        Assert.False(run.Diverged);
        Assert.True(double.IsFinite(run.History.Last!.TrainLoss));
        Assert.True(run.History.Last!.TrainAccuracy > 0.3, $"train accuracy {run.History.Last!.TrainAccuracy:P1}");
    }

    /// <summary>Sets libtorch's FLAGS_caffe2_cpu_allocator_do_junk_fill (new CPU memory filled with NaN) while alive.</summary>
    sealed class JunkFill : IDisposable
    {
        readonly IntPtr flag;
        readonly byte before;

        public JunkFill()
        {
            NativeRuntime.EnsureTorch();
            Assert.True(NativeLibrary.TryLoad("libc10.so", out var lib), "libc10.so is not loaded");
            flag = NativeLibrary.GetExport(lib, "FLAGS_caffe2_cpu_allocator_do_junk_fill");
            before = Marshal.ReadByte(flag);
            Marshal.WriteByte(flag, 1);
        }

        public void Dispose() => Marshal.WriteByte(flag, before);
    }
}

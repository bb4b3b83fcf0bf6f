using System.Diagnostics;
using TorchSharp;
using Workbook.Data;
using Workbook.Models;
using Workbook.Runtime;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Workbook.Tests;

/// <summary>
/// The real GoogLeNet and ResNet-18 adapted to 28x28 (report 002 names both; the -small models are toys).
/// Parameter counts are worked out by hand from the layer shapes below, not read off the models.
/// </summary>
[Collection(TrainingCollection.Name)]
public class ClassicArchitectureTests(ITestOutputHelper output)
{
    // GoogLeNet. Every convolution has no bias and is followed by batch norm (2 parameters per channel).
    // An inception module (in; c1, r3, c3, r5, c5, cp) has in*c1 + in*r3 + 9*r3*c3 + in*r5 + 25*r5*c5 + in*cp
    // weights and 2*(c1 + r3 + c3 + r5 + c5 + cp) batch-norm parameters:
    //   3a (192; 64, 96,128,16, 32, 32): 163,328 + 736   = 164,064
    //   3b (256;128,128,192,32, 96, 64): 388,096 + 1,280 = 389,376
    //   4a (480;192, 96,208,16, 48, 64): 375,552 + 1,248 = 376,800
    //   4b (512;160,112,224,24, 64, 64): 448,512 + 1,296 = 449,808
    //   4c (512;128,128,256,24, 64, 64): 509,440 + 1,328 = 510,768
    //   4d (512;112,144,288,32, 64, 64): 604,672 + 1,408 = 606,080
    //   4e (528;256,160,320,32,128,128): 867,328 + 2,048 = 869,376
    //   5a (832;256,160,320,32,128,128): 1,042,432 + 2,048 = 1,044,480
    //   5b (832;384,192,384,48,128,128): 1,442,816 + 2,528 = 1,445,344      modules: 5,856,096
    // Stem: 3x3 1->64 (576 + 128), 1x1 64->64 (4,096 + 128), 3x3 64->192 (110,592 + 384): 115,904.
    // Classifier 1024 -> C: 1024*C + C. Total 5,972,000 + 1025*C: 5,977,125 for 5 classes, 5,982,250 for 10.
    [Theory]
    [InlineData(5, 5_977_125)]
    [InlineData(10, 5_982_250)]
    public void GoogLeNet_has_the_parameters_of_its_layer_shapes(int classes, long expected)
    {
        using var model = ModelZoo.GoogLeNet(classes);
        Assert.Equal(expected, ModelZoo.ParameterCount(model));
    }

    [Fact]
    public void GoogLeNet_keeps_the_papers_grid_from_inception_3a_on()
    {
        var s = ModelSummary.Of("googlenet", classes: 5);
        var byName = s.Layers.ToDictionary(l => l.Name);
        Assert.Equal("(192, 28, 28)", byName["stem3"].OutputShape);
        Assert.Equal("(256, 28, 28)", byName["inception3a"].OutputShape);
        Assert.Equal("(480, 28, 28)", byName["inception3b"].OutputShape);
        Assert.Equal("(512, 14, 14)", byName["inception4a"].OutputShape);
        Assert.Equal("(832, 14, 14)", byName["inception4e"].OutputShape);
        Assert.Equal("(1024, 7, 7)", byName["inception5b"].OutputShape);
        Assert.Equal(164_064, byName["inception3a"].Parameters);
        Assert.Equal(449_808, byName["inception4b"].Parameters);
        Assert.Equal(1_445_344, byName["inception5b"].Parameters);
        Assert.Equal(115_904, byName["stem1"].Parameters + byName["stem2"].Parameters + byName["stem3"].Parameters);
    }

    // ResNet-18. Convolutions without bias, each followed by batch norm. Stem 3x3 1->64: 576 + 128 = 704.
    // A basic block in->out has 9*in*out + 9*out*out weights + 4*out batch norm, plus in*out + 2*out for the
    // 1x1 projection when it changes shape:
    //   layer1: 2 x (36,864 + 36,864 + 256)                                  = 147,968
    //   layer2: (73,728 + 147,456 + 512 + 8,192 + 256) + (2*147,456 + 512)   = 230,144 + 295,424 = 525,568
    //   layer3: (294,912 + 589,824 + 1,024 + 32,768 + 512) + (2*589,824 + 1,024) = 919,040 + 1,180,672 = 2,099,712
    //   layer4: (1,179,648 + 2,359,296 + 2,048 + 131,072 + 1,024) + (2*2,359,296 + 2,048) = 3,673,088 + 4,720,640 = 8,393,728
    // Blocks 11,166,976 (the ImageNet ResNet-18's 11,689,512 less its 7x7x3 stem 9,536 and 1000-way
    // classifier 513,000), stem 704, classifier 513*C: 11,170,245 for 5 classes, 11,172,810 for 10.
    [Theory]
    [InlineData(5, 11_170_245)]
    [InlineData(10, 11_172_810)]
    public void ResNet18_has_the_parameters_of_its_layer_shapes(int classes, long expected)
    {
        using var model = ModelZoo.ResNet18(classes);
        Assert.Equal(expected, ModelZoo.ParameterCount(model));
    }

    [Fact]
    public void ResNet18_stages_run_at_28_14_7_and_4_pixels()
    {
        var s = ModelSummary.Of("resnet18", classes: 5);
        var byName = s.Layers.ToDictionary(l => l.Name);
        Assert.Equal("(64, 28, 28)", byName["layer1"].OutputShape);
        Assert.Equal("(128, 14, 14)", byName["layer2"].OutputShape);
        Assert.Equal("(256, 7, 7)", byName["layer3"].OutputShape);
        Assert.Equal("(512, 4, 4)", byName["layer4"].OutputShape);
        Assert.Equal(8_393_728, byName["layer4"].Parameters);
    }

    [Theory]
    [InlineData("googlenet", 5)]
    [InlineData("resnet18", 5)]
    [InlineData("resnet18", 10)]
    public void Maps_a_28x28_batch_to_one_logit_per_class(string name, int classes)
    {
        using var model = ModelZoo.Build(name, classes);
        model.eval();
        using var guard = ConvolutionGuard.For(model);
        using var x = rand(4, 1, 28, 28);
        using var y = model.call(x);
        Assert.Equal(new long[] { 4, classes }, y.shape);
    }

    // oneDNN pads convolutions whose channels are not multiples of 16 (ConvolutionGuard): GoogLeNet's 4b and
    // 4c have 24-channel 5x5 reductions, so it runs on the plain kernels; every ResNet-18 count is a
    // multiple of 64 (input 1 at the stem), so it keeps oneDNN.
    [Theory]
    [InlineData("googlenet", true)]
    [InlineData("resnet18", false)]
    public void Only_GoogLeNet_needs_the_plain_convolution_kernels(string name, bool guarded)
    {
        using var model = ModelZoo.Build(name, 5);
        Assert.Equal(guarded && !Compute.IsCuda, ConvolutionGuard.NeedsPlainKernels(model));
    }

    [Theory]
    [InlineData("googlenet")]
    [InlineData("resnet18")]
    public void One_training_step_on_64_images_stays_finite(string name)
    {
        var batch = FashionMnist.ToFiveClasses(TestData.Real.Train.Subset(64, seed: 4));
        manual_seed(0);
        using var model = ModelZoo.Build(name, batch.NumClasses);
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var guard = ConvolutionGuard.For(model);
        double before, after;
        using (var scope = NewDisposeScope())
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(batch.Images), batch.Labels);
            before = loss.item<float>();
            loss.backward();
            Assert.All(model.named_parameters(), p => Assert.True(p.parameter.grad is { } g && g.isfinite().all().item<bool>(), $"{p.name}: gradient not finite"));
            optimizer.step();
        }
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        using (var scope = NewDisposeScope())
            after = nn.functional.cross_entropy(model.call(batch.Images), batch.Labels).item<float>();
        Assert.True(double.IsFinite(before) && double.IsFinite(after), $"loss {before} then {after}");
        // A first loss near ln 5 = 1.61: the network starts without a preference.
        Assert.InRange(before, 1.0, 2.5);
    }

    /// <summary>
    /// Wall-clock of one forward + backward pass of 32 images (printed; not judged, the machine is shared).
    /// A measurement, not a check: it runs only with WORKBOOK_TIME_MODELS=1 (a minute of CPU for GoogLeNet).
    /// </summary>
    [Theory]
    [InlineData("googlenet")]
    [InlineData("resnet18")]
    [InlineData("googlenet-small")]
    [InlineData("resnet-small")]
    public void Times_one_forward_and_backward_batch_of_32(string name)
    {
        if (Environment.GetEnvironmentVariable("WORKBOOK_TIME_MODELS") != "1") return;
        manual_seed(0);
        using var model = ModelZoo.Build(name, 5);
        model.train();
        using var guard = ConvolutionGuard.For(model);
        using var x = rand(32, 1, 28, 28);
        using var labels = randint(0, 5, [32]);
        var seconds = new List<double>();
        for (int repeat = 0; repeat < 3; repeat++) // the first pass includes one-off allocation
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var clock = Stopwatch.StartNew();
            nn.functional.cross_entropy(model.call(x), labels).backward();
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        output.WriteLine($"{name}: forward+backward of 32 images: {string.Join(", ", seconds.Select(s => $"{s:0.000}"))} s " +
                         $"(threads {get_num_threads()}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Assert.All(seconds, s => Assert.True(s > 0));
    }
}

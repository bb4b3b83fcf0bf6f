using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Models;

/// <summary>A named architecture: which report it comes from, what it is, and how to build it.</summary>
/// <param name="Name">The registry name, e.g. "e5".</param>
/// <param name="Report">The report id (000..004) or "workbook".</param>
/// <param name="Description">One line: the layers.</param>
/// <param name="Build">Builds it for a number of classes.</param>
public sealed record ModelInfo(string Name, string Report, string Description, Func<int, Seq> Build);

/// <summary>
/// Every architecture of the five reports, by name. Models output logits (no softmax): the loss
/// chooses how outputs are read (see <see cref="LossKind"/>). All models take [N, 1, 28, 28].
/// Where a report leaves a detail out, the choice made here is stated in the description and in papers/.
/// </summary>
public static class ModelZoo
{
    /// <summary>The registry.</summary>
    public static readonly IReadOnlyList<ModelInfo> All =
    [
        new("mlp-16", "000", "shallow MLP: 784-16-10, ReLU", c => Mlp([16], c)),
        new("mlp-8-8-8", "000", "deep MLP: 784-8-8-8-10, ReLU", c => Mlp([8, 8, 8], c)),
        new("mlp-16-12-8", "000", "wider deep MLP: 784-16-12-8-10, ReLU", c => Mlp([16, 12, 8], c)),
        new("cnn-8", "000", "one conv layer: conv3x3(8, same)-ReLU-maxpool2-dense", c => OneConv(8, c)),
        new("net1", "001", "784-128-10, ReLU", c => Mlp([128], c)),
        new("net2", "001", "784-128-64-10, ReLU (also nets 6 and 7, with L1 / L2 penalties)", c => Mlp([128, 64], c)),
        new("net3", "001", "784-512-128-64-10, ReLU", c => Mlp([512, 128, 64], c)),
        new("net4", "001", "784-128-64-10, ReLU, dropout 0.5 after each hidden layer", c => Mlp([128, 64], c, dropout: 0.5)),
        new("net5", "001", "784-128-64-10, Linear-BatchNorm-ReLU hidden layers", c => Mlp([128, 64], c, batchNorm: true)),
        new("net8", "001", "conv3x3(32)-ReLU-conv3x3(32)-ReLU-maxpool2-dense128-dense64", Net8),
        new("cnn004", "004", "conv5x5(16)-ReLU-pool-conv5x5(32)-ReLU-pool-dense128-dense64 (baseline)", c => Cnn004(c, 0)),
        new("cnn004-dropout", "004", "cnn004 with dropout 0.5 on both hidden dense layers (better model)", c => Cnn004(c, 0.5)),
        new("e1", "002", "conv32-pool-conv32-dense512 (E1, E2)", E1),
        new("e3", "002", "conv32-pool-conv32-dense512-dense256 (E3)", E3),
        new("e4", "002", "conv32-pool-conv64-pool-conv128-conv128-pool-dense512-dense256 (E4)", c => E4(c, false)),
        new("e5", "002", "E4 with dropout 0.25 after each conv stage and 0.5 after dense512 (E5, E6)", c => E4(c, true)),
        new("e7", "002", "E5 with conv3-conv4 as a residual block, 1x1 projection shortcut (E7)", E7),
        new("googlenet-small", "002", "GoogLeNet-style: stem conv 24, 4 inception blocks (40-112 channels) in 2 stages, global average pool", GoogLeNetSmall),
        new("resnet-small", "002", "ResNet-style: stem conv 16, basic blocks at 16, 32, 64 channels (strides 1, 2, 2), global average pool", ResNetSmall),
        new("googlenet", "002", "GoogLeNet (Szegedy et al. 2015) for 28x28: stem conv3x3 64, conv1x1 64, conv3x3 192 at full size, inception 3a-3b (28x28), 4a-4e (14x14), 5a-5b (7x7) with the paper's channels, batch norm, no auxiliary heads, global average pool, dropout 0.4", GoogLeNet),
        new("resnet18", "002", "ResNet-18 (He et al. 2016) for 28x28: stem conv3x3 64 stride 1, no max pool, basic blocks [2, 2, 2, 2] at 64, 128, 256, 512 channels, global average pool", ResNet18),
    ];

    /// <summary>Names in registry order.</summary>
    public static IEnumerable<string> Names => All.Select(m => m.Name);

    /// <summary>
    /// The entry for a name, or a clear error listing the names. Besides the registry, any MLP can be
    /// named as <c>mlp:H1-H2-...</c> with optional parts <c>,sigmoid</c> or <c>,tanh</c> (default ReLU),
    /// <c>,dropout=P</c> and <c>,bn</c>, e.g. <c>mlp:256-128,dropout=0.2,bn</c>.
    /// </summary>
    public static ModelInfo Get(string name) =>
        All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? (name.StartsWith("mlp:", StringComparison.OrdinalIgnoreCase) ? ParseMlp(name)
        : throw new ArgumentException($"unknown model '{name}'. Known models: {string.Join(", ", Names)}, or any MLP as mlp:H1-H2[,sigmoid|tanh][,dropout=P][,bn]"));

    static ModelInfo ParseMlp(string name)
    {
        var parts = name[4..].Split(',', StringSplitOptions.TrimEntries);
        string Bad(string why) => $"cannot read model '{name}': {why}. Write mlp:H1-H2[,sigmoid|tanh][,dropout=P][,bn], e.g. mlp:128-64,dropout=0.5";
        var hidden = parts[0].Split('-').Select(h => int.TryParse(h, out var v) && v > 0 ? v : throw new ArgumentException(Bad($"'{h}' is not a positive layer size"))).ToArray();
        var activation = Activation.ReLU;
        double dropout = 0;
        bool batchNorm = false;
        foreach (var option in parts.Skip(1))
        {
            if (option.Equals("bn", StringComparison.OrdinalIgnoreCase)) batchNorm = true;
            else if (option.StartsWith("dropout=", StringComparison.OrdinalIgnoreCase))
                dropout = double.TryParse(option[8..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and < 1
                    ? p : throw new ArgumentException(Bad($"dropout must be in [0, 1), got '{option[8..]}'"));
            else if (Enum.TryParse<Activation>(option, ignoreCase: true, out var a)) activation = a;
            else throw new ArgumentException(Bad($"unknown option '{option}'"));
        }
        var description = $"784-{string.Join("-", hidden)}-out, {activation}{(dropout > 0 ? $", dropout {dropout}" : "")}{(batchNorm ? ", batch norm" : "")}";
        return new ModelInfo(name.ToLowerInvariant(), "workbook", description, c => Mlp(hidden, c, activation, dropout, batchNorm));
    }

    /// <summary>Builds a named model with the given number of classes.</summary>
    public static Seq Build(string name, int classes = 10)
    {
        var info = Get(name);
        Runtime.NativeRuntime.EnsureTorch(); // a clear message if libtorch cannot load
        return info.Build(classes);
    }

    /// <summary>
    /// A multilayer perceptron: flatten, then for each hidden size Linear, optional BatchNorm, the
    /// activation and optional dropout, then a Linear output layer.
    /// </summary>
    public static Seq Mlp(int[] hidden, int classes = 10, Activation activation = Activation.ReLU, double dropout = 0, bool batchNorm = false)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)> { ("flatten", Flatten()) };
        long inputs = 28 * 28;
        for (int i = 0; i < hidden.Length; i++)
        {
            layers.Add(($"dense{i + 1}", Linear(inputs, hidden[i])));
            if (batchNorm) layers.Add(($"bn{i + 1}", BatchNorm1d(hidden[i])));
            layers.Add(($"{activation.ToString().ToLowerInvariant()}{i + 1}", Layers.Act(activation)));
            if (dropout > 0) layers.Add(($"dropout{i + 1}", Dropout(dropout)));
            inputs = hidden[i];
        }
        layers.Add(("output", Linear(inputs, classes)));
        return Sequential(layers);
    }

    /// <summary>Report 000's CNN: one 3x3 convolution with <paramref name="filters"/> filters, ReLU, 2x2 pool, dense output.</summary>
    public static Seq OneConv(int filters, int classes = 10) => Sequential(
        ("conv1", Layers.Conv3(1, filters)), ("relu1", ReLU()), ("pool1", Layers.Pool2()),
        ("flatten", Flatten()), ("output", Linear(filters * 14 * 14, classes)));

    /// <summary>Report 001's net 8: two 3x3 convolutions of 32 (stride 1, padding 1), then dense 128 and 64.
    /// The report lists no pooling; one 2x2 pool after the convolutions keeps the dense layer at 6,272 inputs (our choice).</summary>
    public static Seq Net8(int classes = 10) => Sequential(
        ("conv1", Layers.Conv3(1, 32)), ("relu1", ReLU()),
        ("conv2", Layers.Conv3(32, 32)), ("relu2", ReLU()), ("pool", Layers.Pool2()),
        ("flatten", Flatten()),
        ("dense1", Linear(32 * 14 * 14, 128)), ("relu3", ReLU()),
        ("dense2", Linear(128, 64)), ("relu4", ReLU()),
        ("output", Linear(64, classes)));

    /// <summary>Report 004's CNN (its figure is missing; our stated choice, the same for both models):
    /// two 5x5 convolutions (16, 32) with ReLU and 2x2 pools, dense 128 and 64, optional dropout on both.</summary>
    public static Seq Cnn004(int classes, double dropout)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv1", Conv2d(1, 16, 5, padding: 2)), ("relu1", ReLU()), ("pool1", Layers.Pool2()),
            ("conv2", Conv2d(16, 32, 5, padding: 2)), ("relu2", ReLU()), ("pool2", Layers.Pool2()),
            ("flatten", Flatten()),
            ("dense1", Linear(32 * 7 * 7, 128)), ("relu3", ReLU()),
        };
        if (dropout > 0) layers.Add(("dropout1", Dropout(dropout)));
        layers.Add(("dense2", Linear(128, 64)));
        layers.Add(("relu4", ReLU()));
        if (dropout > 0) layers.Add(("dropout2", Dropout(dropout)));
        layers.Add(("output", Linear(64, classes)));
        return Sequential(layers);
    }

    /// <summary>Report 002's base model E1 (3,223,909 parameters with 5 classes).</summary>
    public static Seq E1(int classes = 5) => Sequential(
        ("conv1", Layers.Conv3(1, 32)), ("relu1", ReLU()), ("pool1", Layers.Pool2()),
        ("conv2", Layers.Conv3(32, 32)), ("relu2", ReLU()),
        ("flatten", Flatten()),
        ("dense_512", Linear(14 * 14 * 32, 512)), ("relu3", ReLU()),
        ("output", Linear(512, classes)));

    /// <summary>Report 002's E3: E1 plus a dense 256 layer (3,353,957 parameters with 5 classes).</summary>
    public static Seq E3(int classes = 5) => Sequential(
        ("conv1", Layers.Conv3(1, 32)), ("relu1", ReLU()), ("pool1", Layers.Pool2()),
        ("conv2", Layers.Conv3(32, 32)), ("relu2", ReLU()),
        ("flatten", Flatten()),
        ("dense_512", Linear(14 * 14 * 32, 512)), ("relu3", ReLU()),
        ("dense_256", Linear(512, 256)), ("relu4", ReLU()),
        ("output", Linear(256, classes)));

    /// <summary>Report 002's E4 (963,205 parameters with 5 classes) and, with dropout, E5. The 256-unit
    /// "encoding" layer (after its ReLU) is what the clustering study uses as features.</summary>
    public static Seq E4(int classes, bool dropout)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        void Add(string name, Module<Tensor, Tensor> m) => layers.Add((name, m));
        void Drop(string name, double p) { if (dropout) Add(name, Dropout(p)); }
        Add("conv1", Layers.Conv3(1, 32)); Add("relu1", ReLU()); Add("pool1", Layers.Pool2()); Drop("dropout1", 0.25);
        Add("conv2", Layers.Conv3(32, 64)); Add("relu2", ReLU()); Add("pool2", Layers.Pool2()); Drop("dropout2", 0.25);
        Add("conv3", Layers.Conv3(64, 128)); Add("relu3", ReLU()); Drop("dropout3", 0.25);
        Add("conv4", Layers.Conv3(128, 128)); Add("relu4", ReLU()); Add("pool4", Layers.Pool2()); Drop("dropout4", 0.25);
        Add("flatten", Flatten());
        Add("dense_512", Linear(3 * 3 * 128, 512)); Add("relu5", ReLU()); Drop("dropout5", 0.5);
        Add("encoding", Linear(512, 256)); Add("encoding_relu", ReLU());
        Add("output", Linear(256, classes));
        return Sequential(layers);
    }

    /// <summary>Report 002's E7: E5 whose conv3-conv4 stage is a residual block with a 1x1 projection shortcut.</summary>
    public static Seq E7(int classes = 5) => Sequential(
        ("conv1", Layers.Conv3(1, 32)), ("relu1", ReLU()), ("pool1", Layers.Pool2()), ("dropout1", Dropout(0.25)),
        ("conv2", Layers.Conv3(32, 64)), ("relu2", ReLU()), ("pool2", Layers.Pool2()), ("dropout2", Dropout(0.25)),
        ("residual", new ResidualBlock("residual",
            Sequential(("conv3", Layers.Conv3(64, 128)), ("relu3", ReLU()), ("dropout3", Dropout(0.25)), ("conv4", Layers.Conv3(128, 128))),
            64, 128)),
        ("pool4", Layers.Pool2()), ("dropout4", Dropout(0.25)),
        ("flatten", Flatten()),
        ("dense_512", Linear(3 * 3 * 128, 512)), ("relu5", ReLU()), ("dropout5", Dropout(0.5)),
        ("encoding", Linear(512, 256)), ("encoding_relu", ReLU()),
        ("output", Linear(256, classes)));

    /// <summary>A small GoogLeNet for 28x28 (sized for CPU training): stem, two inception blocks at 14x14, pool,
    /// two at 7x7, global average pool.</summary>
    public static Seq GoogLeNetSmall(int classes = 5) => Sequential(
        ("stem", Sequential(Conv2d(1, 24, 3, padding: 1, bias: false), BatchNorm2d(24), ReLU())),
        ("pool1", Layers.Pool2()),
        ("inception1", new InceptionBlock("inception1", 24, 8, 12, 16, 4, 8, 8)),     // 40 channels
        ("inception2", new InceptionBlock("inception2", 40, 16, 16, 24, 6, 12, 12)),  // 64
        ("pool2", Layers.Pool2()),
        ("inception3", new InceptionBlock("inception3", 64, 24, 24, 32, 8, 16, 16)),  // 88
        ("inception4", new InceptionBlock("inception4", 88, 32, 32, 48, 8, 16, 16)),  // 112
        ("gap", AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
        ("dropout", Dropout(0.3)),
        ("output", Linear(112, classes)));

    /// <summary>A small ResNet for 28x28 (sized for CPU training): stem conv 16, one basic block per stage at
    /// 16 (28x28), 32 (14x14, stride 2) and 64 channels (7x7, stride 2), global average pool.</summary>
    public static Seq ResNetSmall(int classes = 5) => Sequential(
        ("stem", Sequential(Conv2d(1, 16, 3, padding: 1, bias: false), BatchNorm2d(16), ReLU())),
        ("block1", new BasicBlock("block1", 16, 16, 1)),
        ("block2", new BasicBlock("block2", 16, 32, 2)),
        ("block3", new BasicBlock("block3", 32, 64, 2)),
        ("gap", AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
        ("output", Linear(64, classes)));

    /// <summary>
    /// GoogLeNet with the inception modules of Szegedy et al. (2015, table 1), adapted to 28x28 inputs. The
    /// paper's stem takes 224x224 down to 28x28 before inception 3a (conv7x7/2, max pool, conv1x1 64,
    /// conv3x3 192, max pool); a 28x28 image is already that size, so the stem keeps its convolutions
    /// (the 7x7/2 becomes a 3x3 stride 1 on one channel) and drops its downsampling. From 3a on the grid is
    /// the paper's: 28x28, 3x3/2 max pool to 14x14 for 4a-4e, to 7x7 for 5a-5b, then average pool, dropout
    /// 0.4 and a linear classifier. 5,977,125 parameters with 5 classes.
    /// </summary>
    public static Seq GoogLeNet(int classes = 5)
    {
        Seq ConvBnRelu(long i, long o, long k) => Sequential(("conv", Conv2d(i, o, k, padding: k / 2, bias: false)), ("bn", BatchNorm2d(o)), ("relu", ReLU()));
        // Name, input channels, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj (the paper's table 1).
        InceptionModule I(string name, long i, long c1, long r3, long c3, long r5, long c5, long cp) => new(name, i, c1, r3, c3, r5, c5, cp);
        return Sequential(
            ("stem1", ConvBnRelu(1, 64, 3)), ("stem2", ConvBnRelu(64, 64, 1)), ("stem3", ConvBnRelu(64, 192, 3)),
            ("inception3a", I("inception3a", 192, 64, 96, 128, 16, 32, 32)),      // 256
            ("inception3b", I("inception3b", 256, 128, 128, 192, 32, 96, 64)),    // 480
            ("pool3", MaxPool2d(3, stride: 2, padding: 1)),                       // 28 -> 14
            ("inception4a", I("inception4a", 480, 192, 96, 208, 16, 48, 64)),     // 512
            ("inception4b", I("inception4b", 512, 160, 112, 224, 24, 64, 64)),    // 512
            ("inception4c", I("inception4c", 512, 128, 128, 256, 24, 64, 64)),    // 512
            ("inception4d", I("inception4d", 512, 112, 144, 288, 32, 64, 64)),    // 528
            ("inception4e", I("inception4e", 528, 256, 160, 320, 32, 128, 128)),  // 832
            ("pool4", MaxPool2d(3, stride: 2, padding: 1)),                       // 14 -> 7
            ("inception5a", I("inception5a", 832, 256, 160, 320, 32, 128, 128)),  // 832
            ("inception5b", I("inception5b", 832, 384, 192, 384, 48, 128, 128)),  // 1024
            ("gap", AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
            ("dropout", Dropout(0.4)),
            ("output", Linear(1024, classes)));
    }

    /// <summary>
    /// ResNet-18 (He et al. 2016) adapted to 28x28 inputs: the 7x7/2 stem convolution and its max pool would
    /// leave 7x7 before the first stage, so the stem is one 3x3 stride-1 convolution (64) with batch norm and
    /// no pool, as CIFAR adaptations do. Then the paper's four stages of two basic blocks, 64, 128, 256 and
    /// 512 channels, the last three starting with stride 2 and a 1x1 projection (28, 14, 7, 4 pixels),
    /// global average pool and a linear classifier. 11,170,245 parameters with 5 classes.
    /// </summary>
    public static Seq ResNet18(int classes = 5) => Sequential(
        ("stem", Sequential(("conv", Conv2d(1, 64, 3, padding: 1, bias: false)), ("bn", BatchNorm2d(64)), ("relu", ReLU()))),
        ("layer1", Sequential(("block1", new BasicBlock("block1", 64, 64, 1)), ("block2", new BasicBlock("block2", 64, 64, 1)))),
        ("layer2", Sequential(("block1", new BasicBlock("block1", 64, 128, 2)), ("block2", new BasicBlock("block2", 128, 128, 1)))),
        ("layer3", Sequential(("block1", new BasicBlock("block1", 128, 256, 2)), ("block2", new BasicBlock("block2", 256, 256, 1)))),
        ("layer4", Sequential(("block1", new BasicBlock("block1", 256, 512, 2)), ("block2", new BasicBlock("block2", 512, 512, 1)))),
        ("gap", AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
        ("output", Linear(512, classes)));

    /// <summary>Trainable parameters of a module.</summary>
    public static long ParameterCount(Module module) => module.parameters().Sum(p => p.numel());
}

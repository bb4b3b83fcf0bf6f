using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Workbook.Models;

/// <summary>Hidden-layer activations the reports use.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,
    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>Small building blocks shared by the model builders.</summary>
public static class Layers
{
    /// <summary>A module for an activation.</summary>
    public static Module<Tensor, Tensor> Act(Activation a) => a switch
    {
        Activation.ReLU => ReLU(),
        Activation.Sigmoid => Sigmoid(),
        _ => Tanh(),
    };

    /// <summary>A 3x3 convolution with Keras "same" padding (stride 1).</summary>
    public static Conv2d Conv3(long inChannels, long outChannels) => Conv2d(inChannels, outChannels, 3, padding: 1);

    /// <summary>A 2x2 max pool (floor: 7x7 becomes 3x3, as Keras' default "valid" pooling).</summary>
    public static MaxPool2d Pool2() => MaxPool2d(2);
}

/// <summary>
/// Report 002's residual block (experiment E7): y = relu(F(x) + P(x)), where F is the main path and P a
/// 1x1 convolution that matches the shortcut's channels to F's output (the "shape transformation"
/// the report mentions). The report's figure is missing; this is our stated reading.
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> main;
    readonly Module<Tensor, Tensor> shortcut;

    /// <summary>A block whose main path is <paramref name="main"/> and whose shortcut projects inChannels to outChannels.</summary>
    public ResidualBlock(string name, Module<Tensor, Tensor> main, long inChannels, long outChannels) : base(name)
    {
        this.main = main;
        shortcut = inChannels == outChannels ? Identity() : Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // Temporaries belong to the caller's dispose scope; an Identity shortcut returns x itself,
        // so nothing here may be disposed eagerly.
        return functional.relu(main.call(x) + shortcut.call(x));
    }
}

/// <summary>
/// A ResNet basic block: two 3x3 convolutions with batch norm, and a strided 1x1 projection on the
/// shortcut when the shape changes.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> path;
    readonly Module<Tensor, Tensor> shortcut;

    /// <summary>A block from inChannels to outChannels; stride 2 halves the image.</summary>
    public BasicBlock(string name, long inChannels, long outChannels, long stride) : base(name)
    {
        path = Sequential(
            ("conv1", Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false)),
            ("bn1", BatchNorm2d(outChannels)),
            ("relu1", ReLU()),
            ("conv2", Conv2d(outChannels, outChannels, 3, padding: 1, bias: false)),
            ("bn2", BatchNorm2d(outChannels)));
        shortcut = stride == 1 && inChannels == outChannels
            ? Identity()
            : Sequential(("proj", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("bn", BatchNorm2d(outChannels)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        return functional.relu(path.call(x) + shortcut.call(x));
    }
}

/// <summary>
/// A GoogLeNet inception block: 1x1, 1x1-3x3, 1x1-5x5 (as two 3x3) and pool-1x1 branches,
/// concatenated along channels.
/// </summary>
public sealed class InceptionBlock : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> b1, b3, b5, bp;

    /// <summary>Output channels = c1 + c3 + c5 + cp.</summary>
    public InceptionBlock(string name, long inChannels, long c1, long r3, long c3, long r5, long c5, long cp) : base(name)
    {
        Module<Tensor, Tensor> ConvBnRelu(long i, long o, long k) =>
            Sequential(Conv2d(i, o, k, padding: k / 2, bias: false), BatchNorm2d(o), ReLU());
        b1 = ConvBnRelu(inChannels, c1, 1);
        b3 = Sequential(ConvBnRelu(inChannels, r3, 1), ConvBnRelu(r3, c3, 3));
        b5 = Sequential(ConvBnRelu(inChannels, r5, 1), ConvBnRelu(r5, c5, 3), ConvBnRelu(c5, c5, 3));
        bp = Sequential(MaxPool2d(3, stride: 1, padding: 1), ConvBnRelu(inChannels, cp, 1));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        return cat([b1.call(x), b3.call(x), b5.call(x), bp.call(x)], 1);
    }
}

/// <summary>
/// The inception module of GoogLeNet as Szegedy et al. (2015, table 1) define it: a 1x1 branch, a 1x1
/// reduction then 3x3, a 1x1 reduction then a real 5x5 (not two 3x3 as in <see cref="InceptionBlock"/>),
/// and a 3x3 stride-1 max pool then a 1x1 projection, concatenated along channels. Each convolution is
/// followed by batch norm and ReLU (the paper has no batch norm; from-scratch training without its
/// auxiliary classifiers needs it, as torchvision's GoogLeNet also adds).
/// </summary>
public sealed class InceptionModule : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> b1, b3, b5, bp;

    /// <summary>The paper's columns: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj. Output channels = c1 + c3 + c5 + cp.</summary>
    public InceptionModule(string name, long inChannels, long c1, long r3, long c3, long r5, long c5, long cp) : base(name)
    {
        Module<Tensor, Tensor> ConvBnRelu(long i, long o, long k) =>
            Sequential(("conv", Conv2d(i, o, k, padding: k / 2, bias: false)), ("bn", BatchNorm2d(o)), ("relu", ReLU()));
        OutChannels = c1 + c3 + c5 + cp;
        b1 = ConvBnRelu(inChannels, c1, 1);
        b3 = Sequential(("reduce", ConvBnRelu(inChannels, r3, 1)), ("conv3x3", ConvBnRelu(r3, c3, 3)));
        b5 = Sequential(("reduce", ConvBnRelu(inChannels, r5, 1)), ("conv5x5", ConvBnRelu(r5, c5, 5)));
        bp = Sequential(("pool", MaxPool2d(3, stride: 1, padding: 1)), ("proj", ConvBnRelu(inChannels, cp, 1)));
        RegisterComponents();
    }

    /// <summary>Channels of the concatenated output.</summary>
    public long OutChannels { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        return cat([b1.call(x), b3.call(x), b5.call(x), bp.call(x)], 1);
    }
}

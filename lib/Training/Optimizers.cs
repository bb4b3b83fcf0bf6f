using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Workbook.Training;

/// <summary>
/// The trainer's parameter updates: SGD (with optional momentum) and Adam, the same arithmetic in the
/// same order as TorchSharp's <c>optim.SGD</c> and <c>optim.Adam</c> (a test compares the weights bit for
/// bit), written out so that every scalar argument is an explicit <see cref="Scalar"/> kept alive until
/// the native call that reads it has returned.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107 turns a <c>double</c> argument into a finalizable <see cref="Scalar"/> and passes
/// its native handle without keeping the object reachable. A garbage collection started by another
/// thread during the native call can then run the Scalar's finalizer and free it while libtorch reads it.
/// The workbook met this once, after about 10,000 Adam steps of a 20-epoch run: libtorch failed with
/// "Expected false to be true ... toFloat at Scalar.h" inside <c>Adam.step</c>. Here each step creates its
/// scalars with <c>using</c>, which holds them until the step ends.
/// </remarks>
public abstract class Optimizer : IDisposable
{
    /// <summary>The parameters being updated, in model order.</summary>
    protected readonly IReadOnlyList<Parameter> Parameters;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be >= 0");
        Parameters = parameters.ToList();
        LearningRate = learningRate;
    }

    /// <summary>The current learning rate (the trainer lowers it when validation accuracy falls).</summary>
    public double LearningRate { get; set; }

    /// <summary>The optimizer a training spec asks for.</summary>
    public static Optimizer For(TrainSpec spec, IEnumerable<Parameter> parameters) => spec.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, spec.LearningRate, spec.Momentum),
        OptimizerKind.Adam => new Adam(parameters, spec.LearningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Optimizer, "unknown optimizer"),
    };

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Update();
    }

    /// <summary>The update itself; runs without autograd inside a dispose scope.</summary>
    protected abstract void Update();

    /// <summary>Releases the optimizer's state tensors.</summary>
    public abstract void Dispose();
}

/// <summary>Stochastic gradient descent, optionally with (non-Nesterov, undampened) momentum.</summary>
public sealed class Sgd : Optimizer
{
    readonly double momentum;
    readonly Tensor?[] velocity;

    /// <summary>Creates SGD over <paramref name="parameters"/>; <paramref name="momentum"/> 0 is plain SGD.</summary>
    public Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0) : base(parameters, learningRate)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be >= 0");
        this.momentum = momentum;
        velocity = new Tensor?[Parameters.Count];
    }

    /// <inheritdoc/>
    protected override void Update()
    {
        using Scalar mu = momentum.ToScalar(), one = 1.0.ToScalar(), minusLr = (-LearningRate).ToScalar();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            if (momentum != 0)
            {
                // As PyTorch: the first step's buffer is the gradient itself, later ones v = mu v + g.
                if (velocity[i] is { } v) v.mul_(mu).add_(grad, alpha: one);
                else velocity[i] = grad.clone().detach().DetachFromDisposeScope();
                grad = velocity[i]!;
            }
            p.add_(grad, alpha: minusLr);
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var v in velocity) v?.Dispose();
        Array.Clear(velocity);
    }
}

/// <summary>Adam (Kingma and Ba) with PyTorch's defaults: betas 0.9 and 0.999, epsilon 1e-8, no weight decay.</summary>
public sealed class Adam : Optimizer
{
    const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    readonly Tensor[] firstMoment, secondMoment;
    long steps;

    /// <summary>Creates Adam over <paramref name="parameters"/>, its moment estimates zero.</summary>
    public Adam(IEnumerable<Parameter> parameters, double learningRate) : base(parameters, learningRate)
    {
        firstMoment = Parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        secondMoment = Parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <inheritdoc/>
    protected override void Update()
    {
        steps++;
        double correction1 = 1 - Math.Pow(Beta1, steps), correction2 = 1 - Math.Pow(Beta2, steps);
        using Scalar beta1 = Beta1.ToScalar(), beta2 = Beta2.ToScalar(),
            oneMinusBeta1 = (1 - Beta1).ToScalar(), oneMinusBeta2 = (1 - Beta2).ToScalar(),
            sqrtCorrection2 = Math.Sqrt(correction2).ToScalar(), epsilon = Epsilon.ToScalar(), one = 1.ToScalar(),
            minusStep = (-(LearningRate / correction1)).ToScalar();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            firstMoment[i].mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            secondMoment[i].mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            var denominator = secondMoment[i].sqrt().div_(sqrtCorrection2).add_(epsilon, one);
            p.addcdiv_(firstMoment[i], denominator, value: minusStep);
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var t in firstMoment.Concat(secondMoment)) t.Dispose();
    }
}

using System.Diagnostics;
using TorchSharp;
using Workbook.Data;
using Workbook.Models;
using Workbook.Runtime;
using static TorchSharp.torch;

namespace Workbook.Evaluation;

/// <summary>Runs a model over a data set in evaluation mode.</summary>
public static class Evaluator
{
    /// <summary>Accuracy, loss, predictions and timing of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static EvalResult Evaluate(nn.Module<Tensor, Tensor> model, Dataset data, LossKind loss = LossKind.CrossEntropy, int batchSize = 1000)
    {
        var predictions = new long[data.Count];
        double lossSum = 0;
        double seconds = InBatches(model, data, batchSize, (start, n, x) =>
        {
            var y = data.Labels.narrow(0, start, n).to(Compute.Device);
            // A diverged model's outputs are not finite: its loss stays NaN and such examples get no
            // class (-1), so a diverged run can never look like a 10%-accurate one.
            var logits = model.call(x);
            lossSum += Losses.Compute(loss, logits, y).item<float>() * n;
            var predicted = where(logits.isfinite().all(1), logits.argmax(1), tensor(-1L, device: logits.device)).cpu().data<long>().ToArray();
            Array.Copy(predicted, 0, predictions, start, n);
        });
        var labels = data.LabelArray();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (labels[i] == predictions[i]) correct++;
        return new EvalResult
        {
            Count = data.Count,
            Accuracy = (double)correct / data.Count,
            Loss = lossSum / data.Count,
            Predictions = predictions,
            Labels = labels,
            ClassNames = data.ClassNames.ToArray(),
            Seconds = seconds,
        };
    }

    /// <summary>
    /// The output of a named top-level layer for every example (e.g. the 256-unit "encoding_relu" of E5),
    /// as a CPU float tensor [N, features].
    /// </summary>
    public static Tensor Features(TorchSharp.Modules.Sequential model, Dataset data, string layer, int batchSize = 1000)
    {
        var names = model.named_children().Select(c => c.name).ToList();
        int last = names.IndexOf(layer);
        if (last < 0) throw new ArgumentException($"the model has no layer '{layer}'; its layers are {string.Join(", ", names)}");
        var children = model.children().Take(last + 1).Cast<nn.Module<Tensor, Tensor>>().ToList();
        var parts = new List<Tensor>();
        InBatches(model, data, batchSize, (_, _, x) =>
        {
            foreach (var c in children) x = c.call(x);
            parts.Add(x.flatten(1).cpu().MoveToOuterDisposeScope());
        });
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>
    /// Calls <paramref name="batch"/> with (start, count, images on the compute device) for each chunk of
    /// <paramref name="batchSize"/> examples, in evaluation mode, without gradients, under the convolution guard
    /// and in a dispose scope per chunk; restores the model's training mode after. Returns the seconds the chunks took.
    /// </summary>
    static double InBatches(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize, Action<int, int, Tensor> batch)
    {
        bool wasTraining = model.training;
        model.eval();
        using var kernels = ConvolutionGuard.For(model);
        var watch = Stopwatch.StartNew();
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, data.Count - start);
                batch(start, n, data.Images.narrow(0, start, n).to(Compute.Device));
            }
        }
        watch.Stop();
        if (wasTraining) model.train();
        return watch.Elapsed.TotalSeconds;
    }
}

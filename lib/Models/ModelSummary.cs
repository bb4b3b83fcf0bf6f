using TorchSharp;
using Workbook.Reporting;
using static TorchSharp.torch;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Models;

/// <summary>One row of a Keras-style summary.</summary>
/// <param name="Name">The layer's name in the model.</param>
/// <param name="Type">Its module type, e.g. Conv2d.</param>
/// <param name="OutputShape">Output shape without the batch dimension, e.g. (32, 28, 28).</param>
/// <param name="Parameters">Trainable parameters of the layer.</param>
public sealed record LayerSummary(string Name, string Type, string OutputShape, long Parameters);

/// <summary>A Keras-like model summary: layer, output shape, parameters, and the total.</summary>
public sealed class ModelSummary : RichOutput
{
    /// <summary>The model's name.</summary>
    public string Model { get; }
    /// <summary>One entry per top-level layer.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }
    /// <summary>Total trainable parameters.</summary>
    public long TotalParameters => Layers.Sum(l => l.Parameters);

    ModelSummary(string model, IReadOnlyList<LayerSummary> layers) { Model = model; Layers = layers; }

    /// <summary>Summarises a model by passing one 1x28x28 image through its layers in evaluation mode.</summary>
    public static ModelSummary Of(string name, Seq model, long[]? inputShape = null)
    {
        var rows = new List<LayerSummary>();
        bool wasTraining = model.training;
        model.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var x = zeros(inputShape ?? [1, 1, 28, 28]);
            foreach (var (layerName, layer) in model.named_children())
            {
                x = ((nn.Module<Tensor, Tensor>)layer).call(x);
                var shape = "(" + string.Join(", ", x.shape.Skip(1)) + ")";
                long parameters = layer.parameters().Sum(p => p.numel());
                rows.Add(new LayerSummary(layerName, layer.GetType().Name, shape, parameters));
            }
        }
        if (wasTraining) model.train();
        return new ModelSummary(name, rows);
    }

    /// <summary>Summary of a registry model.</summary>
    public static ModelSummary Of(string modelName, int classes = 10)
    {
        var model = ModelZoo.Build(modelName, classes);
        try { return Of(modelName, model); } finally { model.Dispose(); }
    }

    /// <summary>The summary as a table.</summary>
    public Table ToTable()
    {
        var t = new Table("layer (type)", "output shape", "parameters") { Title = $"Model: {Model}", Note = $"Total parameters: {TotalParameters:N0}" };
        foreach (var l in Layers) t.Add($"{l.Name} ({l.Type})", l.OutputShape, l.Parameters);
        return t;
    }

    /// <summary>A compact text form, used in run-cache keys so that an architecture change invalidates cached runs.</summary>
    public string Signature => string.Join(";", Layers.Select(l => $"{l.Name}:{l.Type}:{l.OutputShape}:{l.Parameters}"));

    /// <inheritdoc />
    public override string ToHtml() => ToTable().ToHtml();
    /// <inheritdoc />
    public override string ToText() => ToTable().ToText();
}

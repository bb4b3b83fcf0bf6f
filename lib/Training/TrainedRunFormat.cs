using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using Workbook.Data;
using Workbook.Evaluation;
using Workbook.Runtime;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Training;

/// <summary>
/// How the trainer's runs are stored: the spec, history and final evaluations as text (predictions as
/// one character per example, the confusion matrix as rows of counts), the weights as a TorchSharp file.
/// Labels and class names are not stored: they come from the data sets the run is asked for with.
/// </summary>
public sealed class TrainedRunFormat(Seq model, Dataset? validation, Dataset? test) : RunFormat<TrainedRun>
{
    const string WeightsFile = "weights.bin";

    /// <summary>The kind's name in records and keys.</summary>
    public const string KindName = "trainer";

    /// <inheritdoc />
    public override string Kind => KindName;
    /// <inheritdoc />
    public override int CodeVersion => Training.CodeVersion.Trainer;
    /// <inheritdoc />
    public override IReadOnlyList<string> ModelFiles { get; } = [WeightsFile];

    /// <summary>The stored content of a run, as a published record holds it.</summary>
    public sealed record Stored(TrainSpec Spec, string Architecture, string[] DataIds, long Parameters, string Device, bool Diverged,
        int? DivergedAtEpoch, bool StoppedEarly, List<EpochRecord> History, StoredEvaluation? Test, StoredEvaluation? Validation);

    /// <inheritdoc />
    public override JsonNode ToPayload(TrainedRun run) => JsonSerializer.SerializeToNode(new Stored(
        run.Spec.KeyPart, run.Architecture, run.DataIds, run.Parameters, run.Device, run.Diverged, run.DivergedAtEpoch, run.StoppedEarly,
        run.History.Epochs, StoredEvaluation.From(run.Test), StoredEvaluation.From(run.Validation)), WorkbookJson.Records)!;

    /// <inheritdoc />
    public override TrainedRun FromPayload(JsonNode payload, RunRecord record, RunSource source)
    {
        var s = payload.Deserialize<Stored>(WorkbookJson.Records) ?? throw new InvalidDataException("empty run");
        return new TrainedRun
        {
            Name = record.Name, Spec = s.Spec, Key = record.Key, Architecture = s.Architecture, DataIds = s.DataIds,
            History = new History { Epochs = s.History }, Parameters = s.Parameters, Device = s.Device,
            Diverged = s.Diverged, DivergedAtEpoch = s.DivergedAtEpoch, StoppedEarly = s.StoppedEarly,
            Test = s.Test?.ToResult(test, "test"), Validation = s.Validation?.ToResult(validation, "validation"),
            Provenance = record.Provenance, Source = source,
        };
    }

    /// <inheritdoc />
    public override void SaveModel(TrainedRun run, string folder)
    {
        model.cpu().save(Path.Combine(folder, WeightsFile));
        model.to(Compute.Device);
    }

    /// <inheritdoc />
    public override TrainedRun WithModel(TrainedRun run, string folder)
    {
        try { model.load(Path.Combine(folder, WeightsFile)); }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException)
        {
            throw new InvalidDataException($"{WeightsFile} does not fit the model: {e.Message}", e);
        }
        model.to(Compute.Device);
        model.eval();
        return run with { Model = model };
    }

    /// <inheritdoc />
    public override RunNumbers Numbers(TrainedRun run)
    {
        var metrics = RunNumbers.OfHistory(run.History);
        if (run.Test is { } t) { metrics.Add(("test loss", t.Loss)); metrics.Add(("test accuracy", t.Accuracy)); }
        if (run.Validation is { } v) { metrics.Add(("validation loss", v.Loss)); metrics.Add(("validation accuracy", v.Accuracy)); }
        return new RunNumbers(run.EpochsRun, run.Spec.Epochs, run.History.Last, metrics, StoredEvaluation.Encode(run.Test?.Predictions ?? []));
    }
}

/// <summary>An evaluation as a record stores it.</summary>
/// <param name="Count">Examples.</param>
/// <param name="Accuracy">Fraction correct.</param>
/// <param name="Loss">Mean loss (NaN for a model whose outputs were not finite).</param>
/// <param name="Seconds">Time of the forward passes.</param>
/// <param name="Predictions">One character per example: the class as a base-36 digit, '-' for no prediction (non-finite outputs).</param>
/// <param name="Confusion">Rows of the confusion matrix (true class) as space-separated counts per predicted class.</param>
public sealed record StoredEvaluation(int Count, double Accuracy, double Loss, double Seconds, string Predictions, string[] Confusion)
{
    const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>The stored form of an evaluation (null stays null).</summary>
    public static StoredEvaluation? From(EvalResult? r) => r is null ? null : new(r.Count, r.Accuracy, r.Loss, r.Seconds,
        Encode(r.Predictions), r.Confusion.Select(row => string.Join(' ', row)).ToArray());

    /// <summary>Predictions as one character each.</summary>
    public static string Encode(long[] predictions) => string.Concat(predictions.Select(p => p < 0 ? '-' : Digits[(int)p]));

    /// <summary>The evaluation again, with labels and class names from <paramref name="data"/>; checks that they fit.</summary>
    public EvalResult ToResult(Dataset? data, string role)
    {
        if (data is null) throw new InvalidDataException($"the run was stored with a {role} set, but none was given now");
        if (data.Count != Count || Predictions.Length != Count)
            throw new InvalidDataException($"the stored {role} evaluation has {Count} examples, the {role} set {data.Count}");
        var predictions = Predictions.Select(c => c == '-' ? -1L : Digits.IndexOf(c) is var d and >= 0 ? d
            : throw new InvalidDataException($"'{c}' is not a class in the stored {role} predictions")).ToArray();
        var result = new EvalResult
        {
            Count = Count, Accuracy = Accuracy, Loss = Loss, Seconds = Seconds, Predictions = predictions,
            Labels = data.LabelArray(), ClassNames = data.ClassNames.ToArray(),
        };
        // The confusion matrix ties the predictions to these labels: a record of other data fails here.
        if (!result.Confusion.Select(row => string.Join(' ', row)).SequenceEqual(Confusion))
            throw new InvalidDataException($"the stored {role} confusion matrix does not match the {role} set's labels");
        return result;
    }
}

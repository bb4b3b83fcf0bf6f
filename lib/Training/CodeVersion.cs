namespace Workbook.Training;

/// <summary>
/// Versions of the code that produces results. Every run-cache key and published record carries the
/// version of the code that made it, so a result of older code is never served as this code's.
/// A test fingerprints the source files each version covers and fails when they change without the
/// fingerprint being updated: bump the version when results change, update only the fingerprint for a
/// change that provably leaves every number equal (the bit-for-bit retraining test checks one).
/// </summary>
public static class CodeVersion
{
    /// <summary>The trainer, its optimizers, losses, models, evaluation and data order (runs of <see cref="Trainer"/>).</summary>
    public const int Trainer = 2;

    /// <summary>The from-scratch network of notebook 03 (runs of <c>ScratchTrainer</c>).</summary>
    public const int Scratch = 2;
}

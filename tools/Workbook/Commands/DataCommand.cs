using Workbook.Data;
using Workbook.Reporting;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook data</c>: find or fetch Fashion-MNIST, verify it and describe it.</summary>
public static class DataCommand
{
    /// <summary>Usage line.</summary>
    public const string Usage = "workbook data [--no-download]   find (or download) Fashion-MNIST, verify checksums, print counts";

    /// <summary>Runs the command; 0 on success, 1 when the data cannot be had.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "no-download");
        bool allowDownload = !args.Flag("no-download");
        args.RejectUnknown();
        try
        {
            var data = FashionMnist.Load(allowDownload);
            Console.WriteLine($"Fashion-MNIST from {data.Directory} ({data.Source}); content SHA-256 of all four files verified; loaded in {data.LoadSeconds:F2} s");
            var t = new Table("class", "label", "train", "test") { Title = "Class distribution" };
            var train = data.Train.ClassCounts();
            var test = data.Test.ClassCounts();
            for (int i = 0; i < train.Length; i++) t.Add(data.Train.ClassNames[i], i, train[i], test[i]);
            t.Add("total", null, data.Train.Count, data.Test.Count);
            Console.WriteLine(t.ToText());
            return 0;
        }
        catch (DataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

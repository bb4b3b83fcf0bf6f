using Workbook.Models;
using Workbook.Reporting;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook models</c>: the summary of every named architecture.</summary>
public static class ModelsCommand
{
    /// <summary>Usage line.</summary>
    public const string Usage = "workbook models [NAME...] [--brief]   Keras-style summaries and parameter counts";

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "brief");
        bool brief = args.Flag("brief");
        args.RejectUnknown();
        var infos = args.Positional.Count == 0 ? ModelZoo.All : args.Positional.Select(ModelZoo.Get).ToList();
        var overview = new Table("model", "report", "classes", "parameters", "description") { Title = "Models" };
        foreach (var info in infos)
        {
            // Report 002 relabels Fashion-MNIST into five classes; the others use all ten.
            int classes = info.Report == "002" ? 5 : 10;
            var summary = ModelSummary.Of(info.Name, classes);
            if (!brief) Console.WriteLine(summary.ToText());
            overview.Add(info.Name, info.Report, classes, summary.TotalParameters, info.Description);
        }
        Console.WriteLine(overview.ToText());
        return 0;
    }
}

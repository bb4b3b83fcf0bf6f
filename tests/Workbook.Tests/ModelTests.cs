using TorchSharp;
using Workbook.Models;
using Xunit;

namespace Workbook.Tests;

public class ModelTests
{
    [Theory]
    [InlineData("e1", 3_223_909)]
    [InlineData("e3", 3_353_957)]
    [InlineData("e4", 963_205)]
    [InlineData("e5", 963_205)]
    public void Report002_parameter_counts_match_the_report(string name, long expected)
    {
        var summary = ModelSummary.Of(name, classes: 5);
        Assert.Equal(expected, summary.TotalParameters);
    }

    [Fact]
    public void E5_layers_match_the_reports_keras_summary()
    {
        var s = ModelSummary.Of("e5", classes: 5);
        var byName = s.Layers.ToDictionary(l => l.Name);
        Assert.Equal("(32, 28, 28)", byName["conv1"].OutputShape);
        Assert.Equal(320, byName["conv1"].Parameters);
        Assert.Equal("(128, 3, 3)", byName["pool4"].OutputShape);
        Assert.Equal("(1152)", byName["flatten"].OutputShape);
        Assert.Equal(590_336, byName["dense_512"].Parameters);
        Assert.Equal(131_328, byName["encoding"].Parameters);
        Assert.Equal("(256)", byName["encoding_relu"].OutputShape);
        Assert.Equal(1_285, byName["output"].Parameters);
    }

    [Fact]
    public void Every_registered_model_builds_and_maps_an_image_batch_to_logits()
    {
        foreach (var info in ModelZoo.All)
        {
            int classes = info.Report == "002" ? 5 : 10;
            using var model = info.Build(classes);
            model.eval();
            using var x = torch.rand(3, 1, 28, 28);
            using var y = model.call(x);
            Assert.Equal(new long[] { 3, classes }, y.shape);
        }
    }

    [Fact]
    public void Any_mlp_can_be_named()
    {
        var summary = ModelSummary.Of("mlp:32-16,sigmoid,dropout=0.2,bn", classes: 10);
        // 784*32+32, batch norm 2*32, 32*16+16, batch norm 2*16, 16*10+10
        Assert.Equal(784 * 32 + 32 + 64 + 32 * 16 + 16 + 32 + 16 * 10 + 10, summary.TotalParameters);
        Assert.Contains(summary.Layers, l => l.Type == "Sigmoid");
        Assert.Contains(summary.Layers, l => l.Type == "Dropout");
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Get("mlp:32-x"));
        Assert.Contains("'x' is not a positive layer size", e.Message);
        Assert.Throws<ArgumentException>(() => ModelZoo.Get("mlp:32,dropout=2"));
    }

    [Fact]
    public void Unknown_model_names_list_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Get("e9"));
        Assert.Contains("e5", e.Message);
    }
}

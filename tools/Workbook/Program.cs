using TorchSharp;
using Workbook.Data;

var data = FashionMnist.Load();
Console.WriteLine($"{data.Source} {data.Directory} {data.Train} {data.Test} {data.LoadSeconds:F2}s");
Console.WriteLine(torch.ones(3).sum().item<float>());

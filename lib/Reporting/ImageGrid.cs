using System.Text;

namespace Workbook.Reporting;

/// <summary>One picture of an <see cref="ImageGrid"/>: values in [0, 1], grey (h*w) or RGB channel-last (h*w*3).</summary>
public sealed record GridImage(float[] Pixels, int Width, int Height, bool Rgb, string Caption);

/// <summary>
/// A gallery of small images with captions (misclassified examples, samples per cluster, weight
/// pictures). Renders as HTML with embedded PNGs; <see cref="ToPng"/> gives the whole grid as one PNG.
/// </summary>
public sealed class ImageGrid(string? title = null, int columns = 10, int scale = 3) : RichOutput
{
    readonly List<GridImage> images = new();

    /// <summary>Caption above the grid.</summary>
    public string? Title { get; set; } = title;
    /// <summary>Images per row.</summary>
    public int Columns { get; } = Math.Max(1, columns);
    /// <summary>Pixel magnification in the HTML.</summary>
    public int Scale { get; } = Math.Max(1, scale);
    /// <summary>The images.</summary>
    public IReadOnlyList<GridImage> Images => images;

    /// <summary>Adds a grey 28x28 (or any square) image.</summary>
    public ImageGrid Add(float[] grey, string caption)
    {
        int side = (int)Math.Round(Math.Sqrt(grey.Length));
        if (side * side != grey.Length) throw new ArgumentException($"a grey image of {grey.Length} values is not square");
        images.Add(new GridImage(grey, side, side, false, caption));
        return this;
    }

    /// <summary>Adds an RGB image, channel-last.</summary>
    public ImageGrid AddRgb(float[] rgb, int width, int height, string caption)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"an RGB {width}x{height} image needs {width * height * 3} values, got {rgb.Length}");
        images.Add(new GridImage(rgb, width, height, true, caption));
        return this;
    }

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"wb-grid\">");
        if (Title != null) sb.Append($"<div style=\"font-weight:600;margin:4px 0\">{E(Title)}</div>");
        sb.Append($"<div style=\"display:grid;grid-template-columns:repeat({Columns},max-content);gap:6px\">");
        foreach (var img in images)
        {
            var png = Png.Encode(img.Width, img.Height, img.Pixels, img.Rgb);
            // Fashion-MNIST is white on black; draw it as dark ink on light paper, like the reports' figures.
            var filter = img.Rgb ? "" : "filter:invert(1);";
            sb.Append($"<figure style=\"margin:0;text-align:center;font-size:11px;max-width:{img.Width * Scale + 20}px\">" +
                      $"<img src=\"{Png.DataUri(png)}\" width=\"{img.Width * Scale}\" height=\"{img.Height * Scale}\" style=\"image-rendering:pixelated;{filter}border:1px solid #ccc\" alt=\"{E(img.Caption)}\"/>" +
                      $"<figcaption>{E(img.Caption)}</figcaption></figure>");
        }
        sb.Append("</div></div>");
        return sb.ToString();
    }

    /// <summary>All images tiled into one PNG (RGB), without captions.</summary>
    public override byte[]? ToPng()
    {
        if (images.Count == 0) return null;
        int w = images.Max(i => i.Width), h = images.Max(i => i.Height), gap = 2;
        int rowsCount = (images.Count + Columns - 1) / Columns;
        int cols = Math.Min(Columns, images.Count);
        int W = cols * (w + gap) + gap, H = rowsCount * (h + gap) + gap;
        var pixels = Enumerable.Repeat((byte)255, W * H * 3).ToArray();
        for (int k = 0; k < images.Count; k++)
        {
            var img = images[k];
            int ox = gap + (k % Columns) * (w + gap), oy = gap + (k / Columns) * (h + gap);
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        float v = img.Rgb ? img.Pixels[(y * img.Width + x) * 3 + c] : 1f - img.Pixels[y * img.Width + x];
                        pixels[((oy + y) * W + ox + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
                    }
        }
        return Png.Encode(W, H, pixels, rgb: true);
    }

    /// <inheritdoc />
    public override string ToText() => $"{Title ?? "images"}: {images.Count} images ({string.Join("; ", images.Take(5).Select(i => i.Caption))}{(images.Count > 5 ? "; ..." : "")})";
}

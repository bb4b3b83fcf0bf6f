using System.Net;
using System.Text;

namespace Workbook.Cli.Runner.Html;

/// <summary>
/// The page shell the reports share: one style sheet, no external resources of any kind (no fonts,
/// no scripts, no images from elsewhere), so a report opens the same offline as online.
/// </summary>
public static class HtmlPage
{
    /// <summary>HTML-encodes text.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A whole page: title, the shared styles, optional extra head content (scripts), and the body.</summary>
    public static string Build(string title, string body, string extraHead = "")
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .Append("<title>").Append(E(title)).Append("</title>\n")
          .Append("<style>\n").Append(Styles).Append("</style>\n")
          .Append(extraHead)
          .Append("</head>\n<body>\n").Append(body).Append("\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A coloured status word: ok, failed, error.</summary>
    public static string Badge(string status) =>
        $"<span class=\"badge {(status == RunRecord.Ok ? "ok" : "bad")}\">{E(status)}</span>";

    const string Styles = """
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-code: #f6f8fa; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        header.page { padding: 18px 32px 12px; border-bottom: 1px solid var(--line); background: #fafbfc; }
        header.page h1 { margin: 0 0 4px; font-size: 24px; }
        header.page .meta { color: var(--muted); font-size: 13px; }
        header.page .meta a { color: var(--accent); }
        main { max-width: 1100px; margin: 0 auto; padding: 16px 32px 64px; }
        a { color: var(--accent); }
        .badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
        .badge.ok { background: #1a7f37; } .badge.bad { background: #cf222e; }
        .prose { margin: 18px 0; }
        .prose h1, .prose h2, .prose h3 { line-height: 1.25; margin: 1.2em 0 .5em; }
        .prose table { border-collapse: collapse; } .prose th, .prose td { border: 1px solid var(--line); padding: 3px 8px; }
        .prose code { background: var(--bg-code); padding: 1px 4px; border-radius: 4px; font-size: 90%; }
        .prose img { max-width: 100%; }
        .cell { margin: 14px 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
        .cell.failed { border-color: #cf222e; }
        .cell.notrun { opacity: .6; }
        .cell .head { display: flex; justify-content: space-between; font-size: 12px; color: var(--muted); background: var(--bg-code); padding: 3px 10px; border-bottom: 1px solid var(--line); }
        pre { margin: 0; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        pre.code { background: var(--bg-code); padding: 10px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
        .outputs > * { padding: 8px 12px; border-top: 1px dashed var(--line); overflow-x: auto; }
        .outputs pre.stream { color: #24292f; }
        .outputs pre.stderr { color: #9a6700; background: #fff8c5; }
        .outputs pre.error { color: #82071e; background: #ffebe9; white-space: pre-wrap; }
        .outputs img { max-width: 100%; }
        .tok-k { color: #cf222e; } .tok-s { color: #0a3069; } .tok-c { color: #6e7781; font-style: italic; }
        .tok-n { color: #0550ae; } .tok-d { color: #8250df; }
        table.list { border-collapse: collapse; margin: 10px 0 24px; font-size: 14px; }
        table.list th, table.list td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; white-space: nowrap; }
        table.list td.wrap { white-space: normal; min-width: 12em; }
        table.list th { border-bottom: 2px solid #8c959f; }
        table.list td.num, table.list th.num { text-align: right; }
        table.list tr.total td { font-weight: 600; border-top: 2px solid #8c959f; }
        details { margin: 6px 0 14px; } summary { cursor: pointer; }
        .muted { color: var(--muted); }

        """;
}

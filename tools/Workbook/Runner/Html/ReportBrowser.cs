using System.Text.Json;
using Microsoft.Playwright;

namespace Workbook.Cli.Runner.Html;

/// <summary>What a browser found wrong with one Plotly figure of a report.</summary>
/// <param name="Number">The figure's place on its page (1, 2, ...).</param>
/// <param name="Cell">The id of the cell section the figure sits in (e.g. "cell-13").</param>
/// <param name="Title">The figure's title as drawn.</param>
/// <param name="Problems">Each problem, in words; empty when the figure reads right.</param>
public sealed record FigureCheck(int Number, string Cell, string Title, IReadOnlyList<string> Problems);

/// <summary>One report page as a browser drew it.</summary>
/// <param name="Report">The report's file name.</param>
/// <param name="ConsoleErrors">Errors the page logged (plotly.js throws into the console).</param>
/// <param name="Figures">Every Plotly figure on the page, checked.</param>
/// <param name="ScrollingCode">The code cells (e.g. "cell-13") whose code is wider than the page and scrolls sideways.</param>
public sealed record ReportCheck(string Report, IReadOnlyList<string> ConsoleErrors, IReadOnlyList<FigureCheck> Figures, IReadOnlyList<string> ScrollingCode)
{
    /// <summary>Every problem of the page, one line each, naming the report, cell and figure.</summary>
    public IEnumerable<string> Problems =>
        ConsoleErrors.Select(e => $"{Report}: console error: {e}")
            .Concat(ScrollingCode.Select(c => $"{Report} {c}: the code is wider than the page and scrolls sideways"))
            .Concat(Figures.SelectMany(f => f.Problems.Select(p => $"{Report} {f.Cell} figure {f.Number} \"{f.Title}\": {p}")));
}

/// <summary>
/// The system Chromium (Debian's, not a Playwright download), driven by Playwright, opening report
/// pages from disk in a fixed window, as a reader sees them: used by <c>workbook screenshots</c> and by
/// the browser tests.
/// </summary>
public sealed class ReportBrowser : IAsyncDisposable
{
    /// <summary>Debian's chromium.</summary>
    public const string SystemChromium = "/usr/bin/chromium";
    /// <summary>The window the pages are read in (a laptop-sized screen; the report column is narrower).</summary>
    public const int WindowWidth = 1400, WindowHeight = 900;

    readonly IPlaywright playwright;
    readonly IBrowser browser;

    ReportBrowser(IPlaywright playwright, IBrowser browser) => (this.playwright, this.browser) = (playwright, browser);

    /// <summary>Starts the browser headless; a missing executable is a clear error.</summary>
    public static async Task<ReportBrowser> LaunchAsync(string chromium = SystemChromium)
    {
        if (!File.Exists(chromium))
            throw new FileNotFoundException($"{chromium} is missing: install Debian's chromium (apt-get install -y chromium) or name another Chromium executable");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = chromium,
                Headless = true,
                Timeout = 60_000,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars"],
            });
            return new ReportBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a report, waits (at most <paramref name="timeout"/>) until plotly.js has drawn every figure,
    /// and checks every figure. The page stays open for screenshots; dispose the result to close it.
    /// </summary>
    public async Task<OpenReport> OpenAsync(string htmlFile, TimeSpan timeout)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = WindowWidth, Height = WindowHeight } });
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = (float)timeout.TotalMilliseconds });
        try
        {
            await page.WaitForFunctionAsync(AllDrawn, null, new() { Timeout = (float)timeout.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            // Not every figure was drawn in time: the check below names the ones without an SVG.
        }
        var json = await page.EvaluateAsync<JsonElement>(CheckFigures);
        var figures = json.EnumerateArray().Select(f => new FigureCheck(
            f.GetProperty("number").GetInt32(), f.GetProperty("cell").GetString() ?? "", f.GetProperty("title").GetString() ?? "",
            f.GetProperty("problems").EnumerateArray().Select(p => p.GetString() ?? "").ToList())).ToList();
        var scrolling = await page.EvaluateAsync<string[]>(ScrollingCodeCells);
        return new OpenReport(page, new ReportCheck(Path.GetFileName(htmlFile), errors, figures, scrolling));
    }

    /// <summary>Closes the browser.</summary>
    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    const string ScrollingCodeCells =
        "() => [...document.querySelectorAll('pre.code')].filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.closest('section.cell')?.id ?? '')";

    const string AllDrawn = "() => [...document.querySelectorAll('div.wb-plotly')].every(d => d._fullLayout && d.querySelector('svg.main-svg'))";

    /// <summary>
    /// The checks, in the page: every figure drawn, inside the report column, each legend name once, one
    /// colour per series, annotations in their own subplot and not on top of each other, colour bars and
    /// legend inside the figure and off the plots, a title over every panel of a multi-panel figure.
    /// </summary>
    const string CheckFigures = """
        () => {
          const main = document.querySelector('main');
          const ms = getComputedStyle(main), mr = main.getBoundingClientRect();
          const col = { left: mr.left + parseFloat(ms.paddingLeft), right: mr.right - parseFloat(ms.paddingRight) };
          const px = v => Math.round(v);
          const centre = r => ({ x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 });
          const inside = (p, r) => p.x >= r.left - 1 && p.x <= r.right + 1 && p.y >= r.top - 1 && p.y <= r.bottom + 1;
          const contains = (outer, r) => r.left >= outer.left - 1 && r.right <= outer.right + 1 && r.top >= outer.top - 1 && r.bottom <= outer.bottom + 1;
          const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
          const area = r => Math.max(0, r.right - r.left) * Math.max(0, r.bottom - r.top);
          const axis = (fl, ref) => fl[ref.replace(/^x/, 'xaxis').replace(/^y/, 'yaxis')];
          return [...document.querySelectorAll('div.wb-plotly')].map((gd, i) => {
            const fl = gd._fullLayout;
            const cellSection = gd.closest('section.cell');
            const result = { number: i + 1, cell: cellSection ? cellSection.id : '', title: (fl && fl.title && fl.title.text) || '(no title)', problems: [] };
            const p = result.problems;
            const svg = gd.querySelector('svg.main-svg');
            if (!fl || !svg) { p.push('not drawn: plotly.js made no SVG'); return result; }
            const box = svg.getBoundingClientRect();
            if (box.width > col.right - col.left + 1 || box.right > col.right + 1)
              p.push(`${px(box.width)} px wide, ending at x = ${px(box.right)}; the report column is ${px(col.right - col.left)} px wide and ends at x = ${px(col.right)}`);

            const names = [...gd.querySelectorAll('.legend .traces .legendtext')].map(e => e.textContent);
            const repeated = [...new Set(names.filter((n, k) => names.indexOf(n) !== k))];
            if (repeated.length) p.push(`legend repeats ${repeated.map(n => `"${n}"`).join(', ')} (${names.length} entries for ${new Set(names).size} names)`);
            const legend = gd.querySelector('.legend');
            if (legend && !contains(box, legend.getBoundingClientRect())) p.push('legend is cut off by the edge of the figure');

            const colours = new Map();
            for (const t of gd._fullData) {
              if (!t.name || t.visible === false || t.type === 'heatmap') continue;
              const c = (t.mode && t.mode.includes('lines') && t.line && t.line.color) || (t.marker && typeof t.marker.color === 'string' && t.marker.color);
              if (!c) continue;
              if (!colours.has(t.name)) colours.set(t.name, new Set());
              colours.get(t.name).add(c);
            }
            for (const [name, set] of colours)
              if (set.size > 1) p.push(`series "${name}" has ${set.size} colours (${[...set].join(', ')})`);

            const plots = Object.values(fl._plots || {}).map(s => ({ id: s.id, rect: {
              left: box.left + s.xaxis._offset, right: box.left + s.xaxis._offset + s.xaxis._length,
              top: box.top + s.yaxis._offset, bottom: box.top + s.yaxis._offset + s.yaxis._length } }));

            const drawn = [];
            (fl.annotations || []).forEach((a, k) => {
              if (a.visible === false) return;
              const el = gd.querySelector(`.annotation[data-index="${k}"] .annotation-text`) || gd.querySelector(`.annotation[data-index="${k}"]`);
              if (!el) { p.push(`annotation "${a.text}" is not drawn`); return; }
              const r = el.getBoundingClientRect();
              const xa = a.xref === 'paper' ? null : axis(fl, a.xref), ya = a.yref === 'paper' ? null : axis(fl, a.yref);
              const own = {
                left: xa ? box.left + xa._offset : box.left, right: xa ? box.left + xa._offset + xa._length : box.right,
                top: ya ? box.top + ya._offset : box.top, bottom: ya ? box.top + ya._offset + ya._length : box.bottom };
              if (!inside(centre(r), own))
                p.push(`annotation "${a.text}" (${a.xref}/${a.yref}) lies outside the axis domain of its subplot`);
              drawn.push({ text: a.text, ref: `${a.xref}/${a.yref}`, r });
            });
            let stacked = 0, example = '';
            for (let a = 0; a < drawn.length; a++)
              for (let b = a + 1; b < drawn.length; b++) {
                const o = overlap(drawn[a].r, drawn[b].r);
                if (o > 0.25 * Math.min(area(drawn[a].r), area(drawn[b].r))) {
                  if (!stacked) example = `"${drawn[b].text}" (${drawn[b].ref}) over "${drawn[a].text}" (${drawn[a].ref})`;
                  stacked++;
                }
              }
            if (stacked) p.push(`${stacked} pairs of annotations are drawn on top of each other, e.g. ${example}`);

            gd.querySelectorAll('.colorbar').forEach(cb => {
              const r = cb.getBoundingClientRect();
              if (!contains(box, r)) p.push('a colour bar is cut off by the edge of the figure');
              const over = plots.filter(s => overlap(s.rect, r) > 0).map(s => s.id);
              if (over.length) p.push(`a colour bar covers subplot ${over.join(', ')}`);
            });

            if (plots.length > 1) {
              const titles = drawn.filter(d => d.ref === 'paper/paper');
              for (const s of plots) {
                const has = titles.some(t => { const c = centre(t.r); return c.x >= s.rect.left && c.x <= s.rect.right && t.r.bottom <= s.rect.top + 2 && t.r.bottom >= s.rect.top - 45; });
                if (!has) p.push(`subplot ${s.id} has no title above it`);
              }
            }
            return result;
          });
        }
        """;
}

/// <summary>A report open in the browser, with what the checks found; dispose to close the page.</summary>
public sealed class OpenReport(IPage page, ReportCheck check) : IAsyncDisposable
{
    /// <summary>The page.</summary>
    public IPage Page { get; } = page;
    /// <summary>What the checks found.</summary>
    public ReportCheck Check { get; } = check;

    /// <summary>The page's figure containers, in page order.</summary>
    public ILocator Figures => Page.Locator("div.wb-plotly");

    /// <summary>Closes the page.</summary>
    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}

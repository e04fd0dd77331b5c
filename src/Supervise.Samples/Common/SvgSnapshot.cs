using System.Globalization;
using System.Net;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Supervise.Samples.Common;

/// <summary>Draws a frame of the live view as an SVG picture of a terminal (for the README's image).</summary>
internal static class SvgSnapshot
{
    private const double CellWidth = 8.43; // DejaVu Sans Mono at 14 px
    private const int LineHeight = 18;

    public static void Write(string path, IRenderable frame, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(TextWriter.Null),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.TrueColor,
        });
        console.Profile.Width = width;
        var lines = Segment.SplitLines(frame.GetSegments(console));
        var svg = new StringBuilder();
        var pixelsWide = (int)Math.Ceiling((width * CellWidth) + 24);
        var pixelsHigh = (lines.Count * LineHeight) + 24;
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pixelsWide}\" height=\"{pixelsHigh}\">"));
        svg.Append(F($"<rect width=\"{pixelsWide}\" height=\"{pixelsHigh}\" rx=\"6\" fill=\"#1e1e1e\"/>"));
        svg.Append("<g font-family=\"DejaVu Sans Mono, monospace\" font-size=\"14\" xml:space=\"preserve\">");
        for (var i = 0; i < lines.Count; i++)
        {
            var column = 0;
            var y = 12 + ((i + 1) * LineHeight) - 4;
            foreach (var segment in lines[i])
            {
                if (segment.IsLineBreak || segment.Text.Length == 0)
                {
                    continue;
                }

                var style = segment.Style;
                var fill = style.Foreground == Color.Default ? "#d4d4d4" : "#" + style.Foreground.ToHex();
                var bold = style.Decoration.HasFlag(Decoration.Bold) ? " font-weight=\"bold\"" : "";
                svg.Append(F($"<text x=\"{12 + (column * CellWidth):0.#}\" y=\"{y}\" fill=\"{fill}\"{bold}>{WebUtility.HtmlEncode(segment.Text)}</text>"));
                column += segment.CellCount();
            }
        }

        svg.Append("</g></svg>");
        File.WriteAllText(path, svg.ToString());
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervise.Samples.Common;

/// <summary>What a run's report holds.</summary>
internal sealed record SampleReport(
    string Sample,
    int Seed,
    TimeSpan Elapsed,
    bool InvariantHeld,
    string Invariant,
    IReadOnlyList<string> Findings,
    IReadOnlyList<string> Violations,
    LoadSample Load,
    long MessagesDropped,
    ChaosReport? Chaos,
    IReadOnlyList<Moment> Timeline);

/// <summary>Writes a run's report: JSON, or HTML with an SVG timeline when the file name ends in .html.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static string ToJson(SampleReport report) => JsonSerializer.Serialize(report, Json);

    public static void Write(string path, SampleReport report) =>
        File.WriteAllText(path, path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) ? ToHtml(report) : ToJson(report));

    /// <summary>
    /// A page with the outcome and a timeline: one lane per supervisor or child that did something, its
    /// health as coloured bands, faults as red marks, restarts as blue ones, and give-ups as black bars; a
    /// reader sees where each failure went and where it stopped.
    /// </summary>
    public static string ToHtml(SampleReport report)
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
            .Append(E($"Supervise sample: {report.Sample} (seed {report.Seed})"))
            .Append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}")
            .Append(".held{color:#1a7f37}.broken{color:#cf222e}svg text{font-size:11px;font-family:ui-monospace,monospace}")
            .Append("table{border-collapse:collapse}td{padding:2px 8px;vertical-align:top}td:first-child{white-space:nowrap;text-align:right}")
            .Append("pre{white-space:pre-wrap}</style></head><body>");
        page.Append("<h1>").Append(E($"{report.Sample}: seed {report.Seed}, {report.Elapsed.TotalSeconds:0.0} s")).Append("</h1>");
        page.Append("<p class=\"").Append(report.InvariantHeld ? "held" : "broken").Append("\"><b>")
            .Append(report.InvariantHeld ? "Invariant held: " : "Invariant BROKEN: ").Append("</b>").Append(E(report.Invariant)).Append("</p><ul>");
        foreach (var line in report.Findings.Concat(report.Violations.Select(v => "violation: " + v)))
        {
            page.Append("<li>").Append(E(line)).Append("</li>");
        }

        page.Append("<li>").Append(E("load: " + report.Load)).Append("</li>");
        page.Append("<li>").Append(E($"messages dropped (reported): {report.MessagesDropped}")).Append("</li></ul>");
        page.Append(Svg(report));
        page.Append("<p>Lanes: health (green Running, amber Restarting, orange Degraded, red Down; none while stopped); ")
            .Append(F($"a supervisor's children are drawn as one lane (<i>path/*</i>) when more than {ReportLanes.GroupAbove} of them did something, with bars counting those not Running; "))
            .Append("<span style=\"color:#cf222e\">▼ fault injected</span>, <span style=\"color:#0969da\">● restart</span>, ")
            .Append("<span style=\"color:#8250df\">✕ crash</span>, ▮ gave up.</p>");
        if (report.Chaos is { } chaos)
        {
            page.Append("<h2>Chaos report</h2><pre>").Append(E(chaos.ToText())).Append("</pre>");
        }

        page.Append("<h2>Narration</h2><table>");
        foreach (var say in report.Timeline.Where(m => m.Kind == MomentKind.Say))
        {
            page.Append("<tr><td>").Append(E(F($"{say.At.TotalSeconds:0.000} s"))).Append("</td><td>").Append(E(say.Detail)).Append("</td></tr>");
        }

        return page.Append("</table></body></html>").ToString();
    }

    private static string Svg(SampleReport report)
    {
        const int left = 260, width = 900, laneHeight = 18, top = 24, slices = 150;
        var byPath = ReportLanes.ByPath(report.Timeline);
        var (lanes, cut) = ReportLanes.Of(byPath);
        var drawn = byPath.Values.SelectMany(m => m).Where(m => m.Kind != MomentKind.Stopped).ToList();
        // The axis spans what happened, from the first moment to the run's end: a fast run's start-up (an actor system made,
        // code compiled) would otherwise squeeze everything into the axis's last few pixels.
        var start = drawn.Count == 0 ? 0 : Math.Max(0, drawn.Min(m => m.At.TotalSeconds) - 0.001);
        var end = Math.Max(report.Elapsed.TotalSeconds, start + 0.001);
        double X(TimeSpan at) => left + (width * (Math.Clamp(at.TotalSeconds, start, end) - start) / (end - start));
        var svg = new StringBuilder();
        var height = top + (lanes.Count * laneHeight) + 24 + (cut > 0 ? laneHeight : 0);
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + 20}\" height=\"{height}\">"));
        for (var s = 0; s <= 10; s++)
        {
            var at = TimeSpan.FromSeconds(start + ((end - start) * s / 10));
            svg.Append(F($"<line x1=\"{X(at):0.#}\" y1=\"{top - 4}\" x2=\"{X(at):0.#}\" y2=\"{height - 20}\" stroke=\"#eee\"/>"));
            svg.Append(F($"<text x=\"{X(at):0.#}\" y=\"{height - 6}\" text-anchor=\"middle\">{AxisLabel(at, end - start)}</text>"));
        }

        for (var i = 0; i < lanes.Count; i++)
        {
            var lane = lanes[i];
            var y = top + (i * laneHeight);
            var label = lane.IsGroup ? F($"{lane.Label} ({lane.Paths.Count})") : lane.Label;
            svg.Append(F($"<g class=\"lane\" data-path=\"{E(lane.Label)}\">"));
            svg.Append(F($"<text x=\"{left - 6}\" y=\"{y + 12}\" text-anchor=\"end\">{E(label.Length > 40 ? "…" + label[^39..] : label)}{(lane.IsGroup ? $"<title>{E(lane.Summary!)}</title>" : "")}</text>"));
            if (lane.IsGroup)
            {
                // Counts by health over time: how many of its children were not Running, as stacked bars, tallest at the most.
                var counts = ReportLanes.Slices(lane.Paths.Select(p => byPath[p]), TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end), slices);
                var most = Math.Max(1, counts.Max(c => c.Total));
                var unit = (laneHeight - 4) / (double)most;
                foreach (var slice in counts.Where(c => c.Total > 0))
                {
                    var bottom = (double)(y + laneHeight - 2);
                    foreach (var (count, state) in new[] { (slice.Down, HealthState.Down), (slice.Degraded, HealthState.Degraded), (slice.Restarting, HealthState.Restarting) })
                    {
                        if (count > 0)
                        {
                            bottom -= count * unit;
                            svg.Append(F($"<rect class=\"count\" x=\"{X(slice.From):0.#}\" y=\"{bottom:0.#}\" width=\"{Math.Max(0.5, X(slice.To) - X(slice.From)):0.#}\" height=\"{count * unit:0.#}\" fill=\"{Colour(state)}\" opacity=\"0.6\"><title>{E(F($"{slice.From.TotalSeconds:0.00}-{slice.To.TotalSeconds:0.00} s: {count} {state}"))}</title></rect>"));
                        }
                    }
                }
            }
            else
            {
                // Health as bands, from each change to the next (Running before the first); none while it was stopped.
                foreach (var band in ReportLanes.Bands(byPath[lane.Label], report.Elapsed))
                {
                    svg.Append(F($"<rect class=\"band\" data-state=\"{band.State}\" data-from=\"{band.From.TotalSeconds:0.######}\" data-to=\"{band.To.TotalSeconds:0.######}\" x=\"{X(band.From):0.#}\" y=\"{y + 2}\" width=\"{Math.Max(0.5, X(band.To) - X(band.From)):0.#}\" height=\"{laneHeight - 4}\" fill=\"{Colour(band.State)}\" opacity=\"0.35\"/>"));
                }
            }

            foreach (var m in lane.Paths.SelectMany(p => byPath[p]))
            {
                var x = X(m.At);
                var title = $"<title>{E(F($"{m.At.TotalSeconds:0.000} s {m.Kind}: {(lane.IsGroup ? m.Path + " " : "")}{m.Detail}"))}</title>";
                svg.Append(m.Kind switch
                {
                    MomentKind.Fault => F($"<path d=\"M{x - 4:0.#},{y + 1} L{x + 4:0.#},{y + 1} L{x:0.#},{y + 8} Z\" fill=\"#cf222e\">{title}</path>"),
                    MomentKind.Restart => F($"<circle cx=\"{x:0.#}\" cy=\"{y + 12}\" r=\"3\" fill=\"#0969da\">{title}</circle>"),
                    MomentKind.Crash => F($"<text x=\"{x:0.#}\" y=\"{y + 13}\" text-anchor=\"middle\" fill=\"#8250df\">✕{title}</text>"),
                    MomentKind.GaveUp => F($"<rect x=\"{x - 1:0.#}\" y=\"{y}\" width=\"3\" height=\"{laneHeight}\" fill=\"#222\">{title}</rect>"),
                    MomentKind.Upgrade => F($"<path d=\"M{x:0.#},{y + 2} L{x + 4:0.#},{y + 6} L{x:0.#},{y + 10} L{x - 4:0.#},{y + 6} Z\" fill=\"#1a7f37\">{title}</path>"),
                    _ => "",
                });
            }

            svg.Append("</g>");
        }

        if (cut > 0)
        {
            // Said, not silent: the lanes left out are the quietest ones.
            svg.Append(F($"<text x=\"4\" y=\"{top + (lanes.Count * laneHeight) + 12}\" fill=\"#cf222e\">{cut} more lanes not drawn (the {ReportLanes.MaxLanes} with the most happening are)</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A tick's label, precise enough that the ticks of a short run do not repeat: milliseconds under 2 s of span.</summary>
    internal static string AxisLabel(TimeSpan at, double spanSeconds) =>
        spanSeconds < 2 ? F($"{at.TotalMilliseconds:0} ms") : spanSeconds < 20 ? F($"{at.TotalSeconds:0.0} s") : F($"{at.TotalSeconds:0} s");

    private static string Colour(HealthState state) => state switch
    {
        HealthState.Running => "#2da44e",
        HealthState.Restarting => "#d4a72c",
        HealthState.Degraded => "#fb8500",
        _ => "#cf222e",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using Spectre.Console;
using Spectre.Console.Rendering;
using Supervise.Samples.Common;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>The live view's frame fits the terminal it is drawn in: side by side when wide, stacked when narrow, never taller than the screen.</summary>
public sealed class LiveViewLayoutTests
{
    private static readonly RenderedTree[] Trees = [new(ShopTree(), 4)];

    private static Tree ShopTree()
    {
        var tree = new Tree("shop Running");
        tree.AddNodes("ledger Running", "payments Restarting, 3 restarts", "recommender Down");
        return tree;
    }

    private static readonly Moment[] Feed = Enumerable.Range(0, 40)
        .Select(i => new Moment(TimeSpan.FromMilliseconds(100 * i), i % 2 == 0 ? MomentKind.Fault : MomentKind.Restart, "shop/payments/processor", $"Injected Crash (fault {i}, seed 3) in shop/payments/processor, with a long detail that would wrap a narrow terminal several times over"))
        .ToArray();

    private static List<string> Draw(int width, int height)
    {
        var frame = LiveView.Layout("rewards (seed 3, run again with --seed 3)", "The newsletter reaches 6000 everyone: redemptions arrive as a wave.", Trees, Feed, new LoadSample(2900, 0, 966, 178.1, 339.9, 377.5), width, height);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = width;
        console.Profile.Height = height;
        return Segment.SplitLines(frame.GetSegments(console)).Select(line => string.Concat(line.Select(s => s.Text)).TrimEnd()).ToList();
    }

    [Theory]
    [InlineData(80, 24)]
    [InlineData(60, 20)]
    [InlineData(100, 30)]
    public void In_a_narrow_terminal_the_panels_are_stacked_and_the_frame_fits_the_screen(int width, int height)
    {
        var lines = Draw(width, height);
        var frame = string.Join('\n', lines);

        Assert.True(lines.Count <= height, $"{lines.Count} lines in a terminal of {height}:\n{frame}");
        Assert.All(lines, l => Assert.True(l.Length <= width, $"a line of {l.Length} columns in a terminal of {width}: {l}"));
        var tree = lines.FindIndex(l => l.Contains("supervision tree", StringComparison.Ordinal));
        var feed = lines.FindIndex(l => l.Contains("faults and recoveries", StringComparison.Ordinal));
        Assert.True(tree >= 0 && feed > tree, frame);
        Assert.Contains(lines, l => l.Contains("recommender Down", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("3.90", StringComparison.Ordinal) && l.Contains('…', StringComparison.Ordinal)); // the newest moment, cut to one line
    }

    [Theory]
    [InlineData(LiveView.SideBySide, 30)]
    [InlineData(160, 45)]
    public void In_a_wide_terminal_the_tree_and_the_feed_stand_side_by_side(int width, int height)
    {
        var lines = Draw(width, height);
        var frame = string.Join('\n', lines);

        Assert.True(lines.Count <= height, $"{lines.Count} lines in a terminal of {height}:\n{frame}");
        Assert.All(lines, l => Assert.True(l.Length <= width, $"a line of {l.Length} columns in a terminal of {width}: {l}"));
        Assert.Contains(lines, l => l.Contains("supervision tree", StringComparison.Ordinal) && l.Contains("faults and recoveries", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("payments Restarting", StringComparison.Ordinal) && (l.Contains("FAULT", StringComparison.Ordinal) || l.Contains("restart ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("3.90", StringComparison.Ordinal));
    }
}

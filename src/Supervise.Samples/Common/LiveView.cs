using System.Threading.Channels;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Supervise.Samples.Common;

/// <summary>
/// The live terminal view: the supervision tree coloured by health with restart counts, a feed of faults
/// and recoveries, and throughput and latency. Spectre's live display is not thread-safe, so one render
/// loop draws everything; other threads only write moments into a channel it reads.
/// </summary>
internal sealed class LiveView(IAnsiConsole console) : IRunView
{
    /// <summary>From this many columns on, the tree and the feed stand side by side.</summary>
    internal const int SideBySide = 110;
    private const int FeedLines = 14;
    private const int ChildrenShown = 8;
    private readonly Channel<Moment> _moments = Channel.CreateUnbounded<Moment>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<Moment> _feed = new();
    private readonly List<(SupervisionTree Tree, LoadMeter Load)> _tracked = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private string _title = "";
    private string _said = "";
    private LoadSample? _load;
    private readonly System.Diagnostics.Stopwatch _clock = new();

    /// <summary>When set, the frame drawn once this much of the run has passed is kept in <see cref="Captured"/> (for a picture of the view).</summary>
    internal TimeSpan? CaptureAt { get; init; }

    /// <summary>The frame kept for <see cref="CaptureAt"/>.</summary>
    internal IRenderable? Captured { get; private set; }

    public void Start(string title, int seed)
    {
        _title = $"{title} (seed {seed}, run again with --seed {seed})";
        _clock.Start();
        _loop = console.Live(new Text("starting…")).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Bottom).StartAsync(RenderLoopAsync);
    }

    public void Track(SupervisionTree tree, LoadMeter load)
    {
        lock (_tracked)
        {
            _tracked.Add((tree, load));
        }
    }

    public void Feed(Moment moment) => _moments.Writer.TryWrite(moment);

    public async Task FinishAsync(SampleOutcome outcome, string? reportPath)
    {
        await _stop.CancelAsync();
        await _loop;
        console.MarkupLine(outcome.InvariantHeld ? "[green]Invariant held:[/] " + Markup.Escape(outcome.Invariant) : "[red]Invariant BROKEN:[/] " + Markup.Escape(outcome.Invariant));
        foreach (var finding in outcome.Findings)
        {
            console.MarkupLine("  " + Markup.Escape(finding));
        }

        foreach (var violation in outcome.Violations)
        {
            console.MarkupLine("  [red]" + Markup.Escape(violation) + "[/]");
        }

        if (reportPath is not null)
        {
            console.MarkupLine("Report: " + Markup.Escape(reportPath));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            // The loop ends before the source it watches is disposed, and before anything else is printed.
            await _loop;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("The live view failed: " + e.Message);
        }

        _stop.Dispose();
    }

    private async Task RenderLoopAsync(LiveDisplayContext context)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var last = DateTime.MinValue;
        while (true)
        {
            var stopping = false;
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                stopping = true;
            }

            while (_moments.Reader.TryRead(out var moment))
            {
                if (moment.Kind == MomentKind.Say)
                {
                    _said = moment.Detail;
                }

                _feed.Enqueue(moment);
                while (_feed.Count > FeedLines)
                {
                    _feed.Dequeue();
                }
            }

            List<(SupervisionTree Tree, LoadMeter Load)> tracked;
            lock (_tracked)
            {
                tracked = _tracked.ToList();
            }

            var trees = new List<RenderedTree>();
            foreach (var (tree, load) in tracked)
            {
                if (DateTime.UtcNow - last >= TimeSpan.FromSeconds(1))
                {
                    _load = load.Sample();
                    last = DateTime.UtcNow;
                }

                trees.Add(await RenderTreeAsync(tree));
            }

            var frame = Layout(_title, _said, trees, _feed, _load, console.Profile.Width, console.Profile.Height);
            if (Captured is null && CaptureAt is { } at && _clock.Elapsed >= at)
            {
                Captured = frame;
            }

            context.UpdateTarget(frame);
            context.Refresh();
            if (stopping)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One frame, fitted to a terminal of <paramref name="width"/> by <paramref name="height"/>: the tree and the feed
    /// side by side when the terminal is wide enough (<see cref="SideBySide"/> columns), stacked otherwise; either
    /// way the feed keeps one line a moment (cut with an ellipsis) and shows only as many moments as the height
    /// leaves room for, so the frame fits the screen instead of scrolling.
    /// </summary>
    internal static IRenderable Layout(string title, string said, IReadOnlyList<RenderedTree> trees, IEnumerable<Moment> feed, LoadSample? load, int width, int height)
    {
        width = Math.Max(width, 40);
        height = Math.Max(height, 16);
        var saidLines = said.Length == 0 ? 0 : (said.Length + 2 + width - 1) / width;
        var treeLines = Math.Max(1, trees.Sum(t => t.Lines));
        var sideBySide = width >= SideBySide;
        var treeWidth = sideBySide ? Math.Clamp(width * 2 / 5, 40, 72) : width;
        var feedWidth = sideBySide ? width - treeWidth : width;

        // Around the panels: the title, the narration, two borders a panel, and the load panel (two lines and borders).
        var around = 1 + saidLines + 2 + 4 + (sideBySide ? 0 : 2 + treeLines);
        var feedRows = Math.Clamp(height - around, 3, FeedLines);
        var shown = feed.TakeLast(feedRows).ToList();
        var feedPanel = new Panel(new Rows(shown.Count == 0 ? [new Markup("[grey]nothing yet[/]")] : shown.Select(m => FeedLine(m, feedWidth - 4)))).Header("faults and recoveries").Expand();
        var treePanel = new Panel(new Rows(trees.Count == 0 ? [new Markup("[grey]starting…[/]")] : trees.Select(t => t.View))).Header("supervision tree").Expand();

        IRenderable panels = sideBySide
            ? new Grid().AddColumn(new GridColumn().Width(treeWidth).NoWrap().Padding(0, 0)).AddColumn(new GridColumn().Padding(0, 0)).AddRow(treePanel, feedPanel)
            : new Rows(treePanel, feedPanel);
        var loadText = load is { Answered: 0, Failed: 0 }
            ? new Markup("[grey]no requests measured yet (the tour runs scripted steps, and measures none)[/]")
            : load is { } l
            ? new Markup(FormattableString.Invariant($"[bold]{l.PerSecond:0}[/]/s   answered {l.Answered}   failed {l.Failed}\nlatency p50 [bold]{l.P50Ms:0.0}[/] ms   p95 {l.P95Ms:0.0} ms   p99 {l.P99Ms:0.0} ms"))
            : new Markup("[grey]measuring…[/]");
        return new Rows(
            new Markup($"[bold]{Markup.Escape(Cut(title, width))}[/]"),
            new Markup(said.Length == 0 ? "" : "[yellow]» " + Markup.Escape(said) + "[/]"),
            panels,
            new Panel(loadText).Header("throughput and latency"));
    }

    /// <summary>One moment on one line of <paramref name="room"/> columns: its time, its kind in colour, its path and detail (cut to fit).</summary>
    private static Markup FeedLine(Moment m, int room)
    {
        var (colour, word) = m.Kind switch
        {
            MomentKind.Fault => ("red", "FAULT"),
            MomentKind.Crash => ("mediumorchid1", "crash"),
            MomentKind.Restart => ("deepskyblue1", "restart"),
            MomentKind.GaveUp => ("red bold", "GAVE UP"),
            MomentKind.Health => (HealthColour(m.Health ?? HealthState.Running), "health"),
            MomentKind.Dropped => ("grey", "dropped"),
            MomentKind.Upgrade => ("springgreen3", "upgrade"),
            MomentKind.Stopped => ("grey", "stopped"),
            _ => ("yellow", "»"),
        };
        var time = FormattableString.Invariant($"{m.At.TotalSeconds,7:0.00} ");
        var kind = $"{word,-8} ";
        var rest = Math.Max(room - time.Length - kind.Length, 1);
        var path = Cut(m.Path, rest);
        var detail = Cut(m.Detail, Math.Max(rest - path.Length - 1, 0));
        return new Markup($"[grey]{time}[/][{colour}]{Markup.Escape(kind)}[/]{Markup.Escape(path)}{(detail.Length == 0 ? "" : " [grey]" + Markup.Escape(detail) + "[/]")}");
    }

    private static string Cut(string text, int room) => text.Length <= room ? text : room <= 1 ? "" : text[..(room - 1)] + "…";

    private static async Task<RenderedTree> RenderTreeAsync(SupervisionTree tree)
    {
        if (tree.Completion.IsCompleted)
        {
            return new RenderedTree(new Markup($"[grey]{Markup.Escape(tree.Name)}: stopped ({tree.Completion.Result.Reason})[/]"), 1);
        }

        HealthSnapshot snapshot;
        try
        {
            snapshot = await tree.GetHealthAsync().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopping, or too busy to answer within a second: the view says so and keeps drawing.
            return new RenderedTree(new Markup($"[red]{Markup.Escape(tree.Name)}: not answering ({Markup.Escape(e.Message)})[/]"), 1);
        }

        var root = new Tree(Label(tree.Name, snapshot.State, null));
        return new RenderedTree(root, 1 + AddChildren(root, snapshot));
    }

    /// <summary>
    /// The children drawn, at most <paramref name="max"/>: those not Running first, then nested supervisors, then the rest,
    /// drawn in start order (a rest-for-one lesson reads the order).
    /// </summary>
    internal static IReadOnlyList<ChildHealth> Shown(HealthSnapshot snapshot, int max)
    {
        var chosen = snapshot.Children.OrderByDescending(c => c.State != HealthState.Running).ThenByDescending(c => c.Subtree is not null).Take(max).ToHashSet();
        return snapshot.Children.Where(chosen.Contains).ToList();
    }

    /// <summary>Adds <paramref name="snapshot"/>'s children under <paramref name="node"/>; returns how many lines they take.</summary>
    private static int AddChildren(IHasTreeNodes node, HealthSnapshot snapshot)
    {
        var lines = 0;
        var shown = Shown(snapshot, ChildrenShown);
        foreach (var child in shown)
        {
            var branch = node.AddNode(Label(child.Id, child.State, child.Restarts));
            lines++;
            if (child.Subtree is { } subtree)
            {
                lines += AddChildren(branch, subtree);
            }
        }

        var rest = snapshot.Children.Count - shown.Count;
        if (rest > 0)
        {
            var byState = snapshot.Children.Except(shown).GroupBy(c => c.State).Select(g => $"{g.Count()} {g.Key}");
            node.AddNode(new Markup($"[grey]… and {rest} more ({string.Join(", ", byState)})[/]"));
            lines++;
        }

        return lines;
    }

    private static Markup Label(string name, HealthState state, int? restarts) =>
        new($"[{HealthColour(state)}]{Markup.Escape(name)}[/] [grey]{state}{(restarts is > 0 ? restarts == 1 ? ", 1 restart" : $", {restarts} restarts" : "")}[/]");

    private static string HealthColour(HealthState state) => state switch
    {
        HealthState.Running => "green",
        HealthState.Restarting => "yellow",
        HealthState.Degraded => "darkorange",
        _ => "red",
    };
}

/// <summary>A tree as the view draws it, and how many lines that takes.</summary>
internal sealed record RenderedTree(IRenderable View, int Lines);

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
        _loop = console.Live(new Text("starting…")).AutoClear(false).StartAsync(RenderLoopAsync);
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

            var trees = new List<IRenderable>();
            foreach (var (tree, load) in tracked)
            {
                if (DateTime.UtcNow - last >= TimeSpan.FromSeconds(1))
                {
                    _load = load.Sample();
                    last = DateTime.UtcNow;
                }

                trees.Add(await RenderTreeAsync(tree));
            }

            var frame = Layout(trees);
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

    private IRenderable Layout(List<IRenderable> trees)
    {
        var feed = new Table().NoBorder().HideHeaders().AddColumn("t").AddColumn("what");
        foreach (var m in _feed)
        {
            feed.AddRow(new Markup($"[grey]{m.At.TotalSeconds,7:0.00}[/]"), new Markup(FeedLine(m)));
        }

        var load = _load is { } l
            ? new Markup(FormattableString.Invariant($"[bold]{l.PerSecond:0}[/]/s   answered {l.Answered}   failed {l.Failed}\nlatency p50 [bold]{l.P50Ms:0.0}[/] ms   p95 {l.P95Ms:0.0} ms   p99 {l.P99Ms:0.0} ms"))
            : new Markup("[grey]measuring…[/]");
        return new Rows(
            new Markup($"[bold]{Markup.Escape(_title)}[/]"),
            new Markup(_said.Length == 0 ? "" : "[yellow]» " + Markup.Escape(_said) + "[/]"),
            new Columns(new Panel(new Rows(trees)).Header("supervision tree").Expand(), new Panel(feed).Header("faults and recoveries").Expand()),
            new Panel(load).Header("throughput and latency"));
    }

    private static string FeedLine(Moment m)
    {
        var (colour, word) = m.Kind switch
        {
            MomentKind.Fault => ("red", "FAULT"),
            MomentKind.Crash => ("mediumorchid1", "crash"),
            MomentKind.Restart => ("deepskyblue1", "restart"),
            MomentKind.GaveUp => ("red bold", "GAVE UP"),
            MomentKind.Health => (HealthColour(m.Health ?? HealthState.Running), "health"),
            MomentKind.Dropped => ("grey", "dropped"),
            _ => ("yellow", "»"),
        };
        return $"[{colour}]{word,-8}[/] {Markup.Escape(m.Path)} [grey]{Markup.Escape(m.Detail)}[/]";
    }

    private static async Task<IRenderable> RenderTreeAsync(SupervisionTree tree)
    {
        if (tree.Completion.IsCompleted)
        {
            return new Markup($"[grey]{Markup.Escape(tree.Name)}: stopped ({tree.Completion.Result.Reason})[/]");
        }

        HealthSnapshot snapshot;
        try
        {
            snapshot = await tree.GetHealthAsync().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopping, or too busy to answer within a second: the view says so and keeps drawing.
            return new Markup($"[red]{Markup.Escape(tree.Name)}: not answering ({Markup.Escape(e.Message)})[/]");
        }

        var root = new Tree(Label(tree.Name, snapshot.State, null));
        AddChildren(root, snapshot);
        return root;
    }

    private static void AddChildren(IHasTreeNodes node, HealthSnapshot snapshot)
    {
        var shown = snapshot.Children.OrderByDescending(c => c.State != HealthState.Running).ThenByDescending(c => c.Subtree is not null).Take(ChildrenShown).ToList();
        foreach (var child in shown)
        {
            var branch = node.AddNode(Label(child.Id, child.State, child.Restarts));
            if (child.Subtree is { } subtree)
            {
                AddChildren(branch, subtree);
            }
        }

        var rest = snapshot.Children.Count - shown.Count;
        if (rest > 0)
        {
            var byState = snapshot.Children.Except(shown).GroupBy(c => c.State).Select(g => $"{g.Count()} {g.Key}");
            node.AddNode(new Markup($"[grey]… and {rest} more ({string.Join(", ", byState)})[/]"));
        }
    }

    private static Markup Label(string name, HealthState state, int? restarts) =>
        new($"[{HealthColour(state)}]{Markup.Escape(name)}[/] [grey]{state}{(restarts is > 0 ? $", {restarts} restarts" : "")}[/]");

    private static string HealthColour(HealthState state) => state switch
    {
        HealthState.Running => "green",
        HealthState.Restarting => "yellow",
        HealthState.Degraded => "darkorange",
        _ => "red",
    };
}

using System.Globalization;

namespace Supervise.Samples.Common;

/// <summary>
/// Plain structured log lines (<c>t=1.234 kind=restart path=... detail="..."</c>), one per moment, and a
/// status line each second: for terminals without a live display, for logs and for tests. Each tree shown is
/// first drawn as one <c>kind=tree</c> line per node (a supervisor with many children lists the first few).
/// </summary>
internal sealed class PlainView(TextWriter output) : IRunView
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private const int ChildrenListed = 12;
    private readonly List<(SupervisionTree Tree, LoadMeter Load)> _tracked = [];
    private readonly List<Task> _shapes = [];
    private Task _status = Task.CompletedTask;
    private DateTime _started;

    public void Start(string title, int seed)
    {
        _started = DateTime.UtcNow;
        Write($"t=0.000 kind=start sample={title} seed={seed} again=\"--seed {seed}\"");
        _status = StatusAsync();
    }

    public void Track(SupervisionTree tree, LoadMeter load)
    {
        lock (_gate)
        {
            _tracked.Add((tree, load));
            _shapes.Add(WriteShapeAsync(tree));
        }
    }

    public void Feed(Moment moment) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"t={moment.At.TotalSeconds:0.000} kind={moment.Kind.ToString().ToLowerInvariant()}{(moment.Path.Length > 0 ? " path=" + moment.Path : "")} detail=\"{Quote(moment.Detail)}\"{(moment.Health is { } health ? " health=" + health : "")}"));

    public async Task FinishAsync(SampleOutcome outcome, string? reportPath)
    {
        await _stop.CancelAsync();
        await _status;
        Task[] shapes;
        lock (_gate)
        {
            shapes = [.. _shapes];
        }

        await Task.WhenAll(shapes);
        Write($"kind=outcome invariant_held={(outcome.InvariantHeld ? "true" : "false")} invariant=\"{Quote(outcome.Invariant)}\"");
        foreach (var finding in outcome.Findings)
        {
            Write($"kind=finding detail=\"{Quote(finding)}\"");
        }

        foreach (var violation in outcome.Violations)
        {
            Write($"kind=violation detail=\"{Quote(violation)}\"");
        }

        if (reportPath is not null)
        {
            Write($"kind=report path={reportPath}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
    }

    private async Task StatusAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                List<(SupervisionTree Tree, LoadMeter Load)> tracked;
                lock (_gate)
                {
                    tracked = _tracked.ToList();
                }

                foreach (var (tree, load) in tracked)
                {
                    var at = (DateTime.UtcNow - _started).TotalSeconds;
                    Write(string.Create(CultureInfo.InvariantCulture, $"t={at:0.000} kind=status tree={tree.Name} health={tree.RootHealth} restarting={tree.ChildrenIn(HealthState.Restarting)} down={tree.ChildrenIn(HealthState.Down)} load=\"{load.Sample()}\""));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The tree as it stands when it is first shown: its supervisors and children, with each one's kind and criticality.</summary>
    private async Task WriteShapeAsync(SupervisionTree tree)
    {
        HealthSnapshot snapshot;
        try
        {
            snapshot = await tree.GetHealthAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Write($"{Now()} kind=tree path={tree.Name} detail=\"not answering: {Quote(e.Message)}\"");
            return;
        }

        void Walk(HealthSnapshot supervisor)
        {
            foreach (var child in supervisor.Children.Take(ChildrenListed))
            {
                var path = supervisor.Path + "/" + child.Id;
                Write($"{Now()} kind=tree path={path} detail=\"{(child.Kind == ChildKind.Supervisor ? "supervisor" : "worker")}, {child.Criticality}\"");
                if (child.Subtree is { } subtree)
                {
                    Walk(subtree);
                }
            }

            if (supervisor.Children.Count > ChildrenListed)
            {
                Write($"{Now()} kind=tree path={supervisor.Path} detail=\"and {supervisor.Children.Count - ChildrenListed} more children\"");
            }
        }

        Write($"{Now()} kind=tree path={snapshot.Path} detail=\"root, {snapshot.Children.Count} children\"");
        Walk(snapshot);
    }

    private string Now() => string.Create(CultureInfo.InvariantCulture, $"t={(DateTime.UtcNow - _started).TotalSeconds:0.000}");

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
        }
    }

    /// <summary>A value inside a line's quotes: a quote, a backslash or a line break in it cannot end the value or split the line.</summary>
    internal static string Quote(string value) =>
        value.AsSpan().IndexOfAny("\"\\\r\n") < 0 ? value : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

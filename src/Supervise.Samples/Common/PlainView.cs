using System.Globalization;

namespace Supervise.Samples.Common;

/// <summary>
/// Plain structured log lines (<c>t=1.234 kind=restart path=... detail="..."</c>), one per moment, and a
/// status line each second: for terminals without a live display, for logs and for tests.
/// </summary>
internal sealed class PlainView(TextWriter output) : IRunView
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(SupervisionTree Tree, LoadMeter Load)> _tracked = [];
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
        }
    }

    public void Feed(Moment moment) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"t={moment.At.TotalSeconds:0.000} kind={moment.Kind.ToString().ToLowerInvariant()}{(moment.Path.Length > 0 ? " path=" + moment.Path : "")} detail=\"{moment.Detail}\""));

    public async Task FinishAsync(SampleOutcome outcome, string? reportPath)
    {
        await _stop.CancelAsync();
        await _status;
        Write($"kind=outcome invariant_held={(outcome.InvariantHeld ? "true" : "false")} invariant=\"{outcome.Invariant}\"");
        foreach (var finding in outcome.Findings)
        {
            Write($"kind=finding detail=\"{finding}\"");
        }

        foreach (var violation in outcome.Violations)
        {
            Write($"kind=violation detail=\"{violation}\"");
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

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
        }
    }
}

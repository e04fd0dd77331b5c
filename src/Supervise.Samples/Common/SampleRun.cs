using Akka.Actor;

namespace Supervise.Samples.Common;

/// <summary>One run of a sample: its settings resolved, its view, its timeline and its load meter.</summary>
internal sealed class SampleRun : IAsyncDisposable
{
    public SampleRun(ISample sample, SampleSettings settings, IRunView view, CancellationToken stopping, bool paced = false)
    {
        Paced = paced;
        Sample = sample;
        Seed = settings.Seed ?? Random.Shared.Next();
        Duration = settings.Duration ?? sample.DefaultDuration;
        FaultsPerSecond = settings.FaultsPerSecond ?? sample.DefaultFaultsPerSecond;
        Switches = settings.Switches;
        View = view;
        Stopping = stopping;
        Timeline.Added += view.Feed;
        Dashboard = settings.Dashboard ? new SampleDashboard() : null;
    }

    /// <summary>The dashboard of the run's trees, when asked for (<c>--dashboard</c>).</summary>
    public SampleDashboard? Dashboard { get; }

    public ValueTask DisposeAsync() => Dashboard?.DisposeAsync() ?? ValueTask.CompletedTask;

    public ISample Sample { get; }

    /// <summary>The seed of this run (drawn when not given): every random choice comes from it.</summary>
    public int Seed { get; }

    public TimeSpan Duration { get; }

    public double FaultsPerSecond { get; }

    /// <summary>The sample's own switches that were given (see <see cref="ISample.Switches"/>).</summary>
    public IReadOnlySet<string> Switches { get; }

    public IRunView View { get; }

    /// <summary>Cancelled when the user asks the sample to stop (Ctrl+C).</summary>
    public CancellationToken Stopping { get; }

    public Timeline Timeline { get; } = new();

    public LoadMeter Load { get; } = new();

    /// <summary>Whether steps wait for a reader (the live view), or follow each other at once (log lines, tests).</summary>
    public bool Paced { get; }

    /// <summary>Explains a step, in plain words, as it happens.</summary>
    public void Say(string text) => Timeline.Add(MomentKind.Say, "", text);

    /// <summary>Records <paramref name="system"/>'s supervision events and shows <paramref name="tree"/> in the view.</summary>
    public void Show(ActorSystem system, SupervisionTree tree)
    {
        Timeline.Record(system);
        View.Track(tree, Load);
        if (Dashboard is not null && Dashboard.AddAsync(tree).GetAwaiter().GetResult() is { } address)
        {
            Say($"The dashboard shows this run's trees, live, at {address} (until the run ends).");
        }
    }

    /// <summary>
    /// A chaos run for this sample: <see cref="FaultsPerSecond"/> on average (Poisson), from <see cref="Seed"/>,
    /// for <see cref="Duration"/>; null when faults are off (0 per second).
    /// </summary>
    public ChaosOptions? Chaos(FaultTargets targets, params FaultChoice[] faults) => FaultsPerSecond <= 0 ? null : new ChaosOptions
    {
        Seed = Seed,
        EnvironmentName = "Samples",
        Faults = faults,
        Targets = targets,
        Schedule = FaultSchedule.Poisson(TimeSpan.FromSeconds(1 / FaultsPerSecond)),
        Duration = Duration,
        MaxConcurrentFaults = 64,
        RecoveryTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Gives a reader of the live view time to see a step; at once without it.</summary>
    public async Task PauseAsync()
    {
        if (Paced)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(3), Stopping);
            }
            catch (OperationCanceledException)
            {
                // the user stopped the run: no more pauses matter
            }
        }
    }

    /// <summary>Waits until <paramref name="clock"/> reads <paramref name="at"/> (at once if it is past), or until the user stops the run.</summary>
    public async Task UntilAsync(System.Diagnostics.Stopwatch clock, TimeSpan at)
    {
        var wait = at - clock.Elapsed;
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, Stopping);
        }
        catch (OperationCanceledException)
        {
            // stopped by the user: the sample winds down and reports what it saw
        }
    }

    /// <summary>Waits for the run's duration, or until the user stops it.</summary>
    public async Task WaitForDurationAsync()
    {
        try
        {
            await Task.Delay(Duration, Stopping);
        }
        catch (OperationCanceledException)
        {
            // stopped early by the user: the sample winds down and reports what it saw
        }
    }
}

/// <summary>Where a run shows itself: a live terminal view, or plain structured log lines.</summary>
internal interface IRunView : IAsyncDisposable
{
    /// <summary>Starts showing (the live view starts its render loop).</summary>
    void Start(string title, int seed);

    /// <summary>Shows <paramref name="tree"/>'s health and <paramref name="load"/> from now on.</summary>
    void Track(SupervisionTree tree, LoadMeter load);

    /// <summary>A moment for the feed. Called from any thread.</summary>
    void Feed(Moment moment);

    /// <summary>Stops showing, and prints the outcome.</summary>
    Task FinishAsync(SampleOutcome outcome, string? reportPath);
}

using Akka.Actor;

namespace Supervise.Dashboard;

/// <summary>One step of an upgrade's plan as the page shows it, with how far it got.</summary>
internal sealed record UpgradeStepView(string Child, string Step, string Status, string? Detail);

/// <summary>One live upgrade as the page shows it: its plan, and each step's progress, from its events.</summary>
internal sealed record UpgradeView(
    string Path,
    string State,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    IReadOnlyList<UpgradeStepView> Steps,
    IReadOnlyList<string> SupervisorChanges,
    IReadOnlyList<string> Watches,
    string? Outcome);

/// <summary>
/// The live upgrades of the trees the dashboard shows, newest first, from the supervision events their supervisors publish
/// (<see cref="UpgradeStarted"/> with its plan, <see cref="ChildUpgraded"/>, <see cref="UpgradeStepWatched"/>,
/// <see cref="UpgradeEnded"/>): the decisions here, tested without an actor system; an actor feeds it.
/// </summary>
internal sealed class UpgradeBoard
{
    /// <summary>Upgrades kept, the newest; older ones are forgotten (the feed and the logs have them).</summary>
    public const int Kept = 20;

    private readonly Lock _gate = new();
    private readonly List<Entry> _upgrades = [];
    private readonly HashSet<ActorSystem> _following = [];

    /// <summary>The upgrades seen, newest first.</summary>
    public IReadOnlyList<UpgradeView> Views
    {
        get
        {
            lock (_gate)
            {
                return [.. _upgrades.AsEnumerable().Reverse().Select(e => e.View())];
            }
        }
    }

    /// <summary>Follows <paramref name="system"/>'s supervision events from now on (once for each system).</summary>
    public void Follow(ActorSystem system)
    {
        lock (_gate)
        {
            if (system.WhenTerminated.IsCompleted || !_following.Add(system))
            {
                return;
            }
        }

        var listener = system.ActorOf(Props.Create(() => new Listener(this)));
        system.EventStream.Subscribe(listener, typeof(SupervisionEvent));
    }

    /// <summary>Takes one event in: an upgrade's start, a change, a watch, or its end; other events change nothing.</summary>
    public void Apply(SupervisionEvent e)
    {
        lock (_gate)
        {
            switch (e)
            {
                case UpgradeStarted started:
                    Add(new Entry(started));
                    break;
                case ChildUpgraded changed when Running(changed.SupervisorPath) is { } entry:
                    entry.Changed(changed.ChildId, changed.Change);
                    break;
                case UpgradeStepWatched watched when Running(watched.SupervisorPath) is { } entry:
                    entry.Watched(watched);
                    break;
                case UpgradeEnded ended:
                    // A refused upgrade never started: it is shown with its problems, as an entry of its own.
                    if (ended.Result is UpgradeResult.Refused)
                    {
                        Add(new Entry(new UpgradeStarted(ended.SupervisorPath, ended.Timestamp, ended.Result.Plan)));
                    }

                    Running(ended.SupervisorPath)?.Ended(ended);
                    break;
            }
        }
    }

    private void Add(Entry entry)
    {
        _upgrades.Add(entry);
        if (_upgrades.Count > Kept)
        {
            _upgrades.RemoveAt(0);
        }
    }

    private Entry? Running(string path) => _upgrades.FindLast(u => u.Path == path && u.State == "running");

    private sealed class Entry
    {
        private readonly List<(string Child, string Step, string Status, string? Detail)> _steps;
        private readonly List<string> _watches = [];
        private readonly IReadOnlyList<string> _supervisorChanges;
        private readonly DateTimeOffset _started;
        private DateTimeOffset? _ended;
        private string? _outcome;

        public Entry(UpgradeStarted started)
        {
            Path = started.SupervisorPath;
            _started = started.Timestamp;
            _steps = [.. started.Plan.Steps.Select(s => (s.ChildId, Describe(s), "pending", (string?)null))];
            _supervisorChanges = started.Plan.SupervisorChanges;
        }

        public string Path { get; }

        public string State { get; private set; } = "running";

        public void Changed(string child, string change)
        {
            // An undo's change is the one an earlier change of that child made, taken back.
            var undo = change.Contains("restored", StringComparison.Ordinal) || change.Contains("undone", StringComparison.Ordinal);
            var at = undo ? _steps.FindLastIndex(s => s.Child == child && s.Status is "done" or "failed") : _steps.FindIndex(s => s.Child == child && s.Status == "pending");
            if (at >= 0)
            {
                _steps[at] = _steps[at] with { Status = undo ? "restored" : "done", Detail = change };
            }
        }

        public void Watched(UpgradeStepWatched watched)
        {
            _watches.Add($"{string.Join(", ", watched.Children)} watched for {watched.Window.TotalSeconds:0.###} s: {watched.Failure ?? "passed"}");
            if (watched.Failure is not null)
            {
                Fail(watched.Children, watched.Failure);
            }
        }

        public void Ended(UpgradeEnded ended)
        {
            _ended = ended.Timestamp;
            (State, _outcome) = ended.Result switch
            {
                UpgradeResult.Completed c => ("completed", c.Failures.Count == 0 ? "every step done" : "done, with failures gone on past: " + string.Join("; ", c.Failures)),
                UpgradeResult.RolledBack r => ("rolled back", $"{r.Failure}; restored: {(r.Restored.Count == 0 ? "nothing to restore" : string.Join(", ", r.Restored))}"),
                UpgradeResult.Stopped s => ("stopped", $"{s.Failure}; kept their change: {(s.Changed.Count == 0 ? "none" : string.Join(", ", s.Changed))}"),
                UpgradeResult.Refused f => ("refused", string.Join("; ", f.Problems.Select(p => p.ToString()))),
                _ => ("ended", null),
            };
            // Every step that failed (a change that failed publishes no event of its own), unless an undo restored it since.
            var failures = ended.Result switch
            {
                UpgradeResult.Completed c => c.Failures,
                UpgradeResult.RolledBack r => [r.Failure, .. r.Failures],
                UpgradeResult.Stopped s => [s.Failure],
                _ => [],
            };
            foreach (var failure in failures.Distinct())
            {
                if (ChildOf(failure) is { } child)
                {
                    Fail([child], failure);
                }
            }
        }

        public UpgradeView View() => new(
            Path,
            State,
            _started,
            _ended,
            [.. _steps.Select(s => new UpgradeStepView(s.Child, s.Step, s.Status, s.Detail))],
            _supervisorChanges,
            [.. _watches],
            _outcome);

        /// <summary>A failed step's children: failed, unless an undo has restored them since (its word stands).</summary>
        private void Fail(IEnumerable<string> children, string why)
        {
            foreach (var child in children)
            {
                var at = _steps.FindLastIndex(s => s.Child == child && s.Status is "pending" or "done");
                if (at >= 0)
                {
                    _steps[at] = _steps[at] with { Status = "failed", Detail = why };
                }
            }
        }

        /// <summary>The child a failure names ("child: why"), if it is one of the plan's.</summary>
        private string? ChildOf(string failure) =>
            _steps.Select(s => s.Child).Where(c => failure.StartsWith(c + ": ", StringComparison.Ordinal)).OrderByDescending(c => c.Length).FirstOrDefault();

        private static string Describe(UpgradeStep step) => step is UpgradeNestedStep nested
            ? $"upgrade {nested.ChildId}: {string.Join("; ", nested.Plan.Steps.Select(Describe).Concat(nested.Plan.SupervisorChanges))}"
            : step.Describe();
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(UpgradeBoard board) => Receive<SupervisionEvent>(board.Apply);
    }
}

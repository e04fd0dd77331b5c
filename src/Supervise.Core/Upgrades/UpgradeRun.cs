namespace Supervise.Upgrades;

/// <summary>What a running upgrade asks its supervisor to do next.</summary>
internal abstract record UpgradeAction
{
    private UpgradeAction()
    {
    }

    /// <summary>Carry out a step's changes, in order; then report <see cref="UpgradeRun.Done"/> or <see cref="UpgradeRun.Failed"/>.</summary>
    public sealed record Apply(UpgradeBatch Batch) : UpgradeAction;

    /// <summary>Watch these children for <paramref name="Window"/>: a crash, a failed start or a child not Running at its end fails the step.</summary>
    public sealed record Watch(IReadOnlyList<string> Children, TimeSpan Window) : UpgradeAction;

    /// <summary>Wait <paramref name="Delay"/> before the next step.</summary>
    public sealed record Pause(TimeSpan Delay) : UpgradeAction;

    /// <summary>Undo a step that was carried out: restore what its children ran before, last change first.</summary>
    public sealed record Undo(UpgradeBatch Batch) : UpgradeAction;

    /// <summary>The upgrade is over: <paramref name="End"/> says how.</summary>
    public sealed record Finish(UpgradeEnd End) : UpgradeAction;
}

/// <summary>How an upgrade ended.</summary>
internal enum UpgradeEnd
{
    /// <summary>Every step was carried out (with <see cref="UpgradeFailureAction.Continue"/>, failed steps included).</summary>
    Completed,

    /// <summary>A step failed, and every step carried out was undone.</summary>
    RolledBack,

    /// <summary>A step failed, and the upgrade stopped there.</summary>
    Stopped,
}

/// <summary>
/// The decisions of one upgrade, over an explicit state and without an actor: which step runs next, when the children it
/// changed are watched, the pause between steps, and what a failed step leads to (<see cref="UpgradeOptions.OnFailure"/>): the
/// steps carried out undone in reverse order, a stop where it is, or the next step. The supervisor carries out each action
/// and reports how it went.
/// </summary>
internal sealed class UpgradeRun
{
    private readonly IReadOnlyList<UpgradeBatch> _batches;
    private readonly UpgradeOptions _options;
    private readonly Stack<UpgradeBatch> _applied = new();
    private readonly List<string> _failures = [];
    private readonly List<string> _restored = [];
    private int _next;
    private Phase _phase = Phase.NotStarted;

    public UpgradeRun(IReadOnlyList<UpgradeBatch> batches, UpgradeOptions options)
    {
        _batches = batches;
        _options = options;
    }

    private enum Phase
    {
        NotStarted,
        Applying,
        Watching,
        Pausing,
        Undoing,
        Finished,
    }

    /// <summary>The first failure, as "child: why"; null while none.</summary>
    public string? FirstFailure => _failures.Count > 0 ? _failures[0] : null;

    /// <summary>Every failure: of steps, of watches and of undoing, in the order they came.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The children whose change stands (carried out and not undone), in the order they were changed.</summary>
    public IReadOnlyList<string> Changed => _applied.Reverse().SelectMany(b => b.Children).ToList();

    /// <summary>The children given back what they ran before, in the order they were restored.</summary>
    public IReadOnlyList<string> Restored => _restored;

    /// <summary>The step being carried out, watched or undone now.</summary>
    public UpgradeBatch? Current { get; private set; }

    /// <summary>Whether the upgrade has ended.</summary>
    public bool IsFinished => _phase == Phase.Finished;

    /// <summary>The first action.</summary>
    public UpgradeAction Start()
    {
        Require(Phase.NotStarted);
        return NextStep();
    }

    /// <summary>The action asked for went well (the changes carried out, the watch passed, the pause over, the step undone).</summary>
    public UpgradeAction Done()
    {
        switch (_phase)
        {
            case Phase.Applying:
                _applied.Push(Current!);
                return Current!.Watch && _options.WatchWindow > TimeSpan.Zero
                    ? Enter(Phase.Watching, new UpgradeAction.Watch(Current.Children, _options.WatchWindow))
                    : AfterStep();
            case Phase.Watching:
                return AfterStep();
            case Phase.Pausing:
                return NextStep();
            case Phase.Undoing:
                _restored.AddRange(Current!.Children);
                return NextUndo();
            default:
                throw new InvalidOperationException($"the upgrade has no action under way ({_phase})");
        }
    }

    /// <summary>The action asked for failed: <paramref name="child"/> did not do what it should (<paramref name="why"/>).</summary>
    public UpgradeAction Failed(string child, string why)
    {
        _failures.Add(child + ": " + why);
        switch (_phase)
        {
            case Phase.Applying:
                // Part of the step may have been carried out: it is undone with the rest (undoing a change never made does nothing).
                _applied.Push(Current!);
                return AfterFailure();
            case Phase.Watching:
                return AfterFailure();
            case Phase.Undoing:
                return NextUndo(); // undo the rest anyway: the failure is reported with the result, the child not counted restored
            default:
                throw new InvalidOperationException($"the upgrade has no action under way ({_phase})");
        }
    }

    private UpgradeAction AfterFailure() => _options.OnFailure switch
    {
        UpgradeFailureAction.RollBack => NextUndo(),
        UpgradeFailureAction.Stop => Finish(UpgradeEnd.Stopped),
        _ => AfterStep(),
    };

    private UpgradeAction AfterStep() =>
        _next < _batches.Count && _options.PauseBetweenSteps > TimeSpan.Zero
            ? Enter(Phase.Pausing, new UpgradeAction.Pause(_options.PauseBetweenSteps))
            : NextStep();

    private UpgradeAction NextStep()
    {
        if (_next == _batches.Count)
        {
            return Finish(UpgradeEnd.Completed);
        }

        Current = _batches[_next++];
        return Enter(Phase.Applying, new UpgradeAction.Apply(Current));
    }

    private UpgradeAction NextUndo()
    {
        if (!_applied.TryPop(out var batch))
        {
            return Finish(UpgradeEnd.RolledBack);
        }

        Current = batch;
        return Enter(Phase.Undoing, new UpgradeAction.Undo(batch));
    }

    private UpgradeAction Finish(UpgradeEnd end)
    {
        Current = null;
        return Enter(Phase.Finished, new UpgradeAction.Finish(end));
    }

    private UpgradeAction Enter(Phase phase, UpgradeAction action)
    {
        _phase = phase;
        return action;
    }

    private void Require(Phase phase)
    {
        if (_phase != phase)
        {
            throw new InvalidOperationException($"the upgrade is {_phase}, not {phase}");
        }
    }
}

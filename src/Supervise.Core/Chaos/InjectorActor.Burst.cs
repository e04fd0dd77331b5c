// An actor's async handlers must continue on the actor's own context: no ConfigureAwait(false) here.
#pragma warning disable CA2007

namespace Supervise.Chaos;

/// <summary>
/// Drawing faults and asking for them together: in real time a burst's faults go out at once (the targets gathered once,
/// the supervisors asked together), and their answers are journaled in the order they were numbered.
/// </summary>
internal sealed partial class InjectorActor
{
    /// <summary>
    /// Carries out the burst's faults left. Every injection time journals Burst entries, carried out or
    /// skipped, so a test in virtual time can wait for them (FaultInjector.WhenJournaledAsync). In virtual
    /// time the faults of a burst come one after another at the same instant, each once the tree has done
    /// all it can about the one before (its fault landed, nothing in progress, every timer and this actor
    /// caught up): what the next one finds then does not depend on the threads, so a seed repeats exactly.
    /// Returns <see langword="true"/> while it waits for that; the injection time is over when it returns
    /// <see langword="false"/>.
    /// </summary>
    private async Task<bool> InjectBurstAsync()
    {
        _state.Lateness = Now - _nextAt; // how late this injection time is served (the report's BehindSchedule)
        if (SettleBeforeFirstFault())
        {
            return true;
        }

        if (_burstLeft > 1 && !_runtime.RealTime)
        {
            // Before the first fault is journaled: a driver that sees it must not find the tree settled mid-burst.
            BurstPending(true);
        }

        if (_runtime.RealTime && _options.Replay is null)
        {
            // Nothing to wait for between them: the burst's faults go out together.
            var burst = _burstLeft;
            _burstLeft = 0;
            await InjectFaultsAsync(burst);
        }

        while (_burstLeft > 0 && !_ended && !_state.Halted && !_state.InjectionStopped && !BudgetSpent)
        {
            _burstLeft--;
            await InjectOneAsync();
            if (_burstLeft > 0 && !_runtime.RealTime && !_ended)
            {
                WaitToSettle();
                return true;
            }
        }

        _burstLeft = 0;
        _firstSettled = false;
        BurstPending(false);
        return false;
    }

    /// <summary>
    /// Draws up to <paramref name="count"/> faults (a kind each, and a target no other fault of these touches: not the same
    /// child, nor one above or under it), asks their supervisors all at once, then journals every outcome in sequence
    /// order. One at a time (a count of 1) this is the serial injection virtual time needs; a burst of 16 in real time
    /// waits for one round of answers instead of 16, and walks the tree's targets once instead of 16 times.
    /// </summary>
    private async Task InjectFaultsAsync(int count)
    {
        List<FaultTarget>? candidates = null;
        var taken = new List<string>(count);
        var outcomes = new List<(Task<string?> Answer, Action<string?> Journal)>(count);
        var asked = 0; // faults asked for (MaxFaults counts them)
        var holding = 0; // of those, the ones that hold a place under MaxConcurrentFaults once carried out
        for (var i = 0; i < count && !_ended && !_state.Halted && !_state.InjectionStopped && !Spent(asked); i++)
        {
            var choice = _chooser.Pick(_options.Faults, f => f.Weight);
            if (_ledger.Active.Count + holding >= _options.MaxConcurrentFaults)
            {
                Later(Skip(choice.Kind, $"{_options.MaxConcurrentFaults} earlier fault(s) have not recovered yet (MaxConcurrentFaults)"));
                continue;
            }

            if (choice.Kind.IsNodeFault())
            {
                var may = NodeTargets();
                var nodes = may.Where(n => !taken.Contains(n) && !_ledger.Active.Any(a => a.Record.Target == n && a.Record.Kind.IsNodeFault())).ToList();
                if (nodes.Count == 0)
                {
                    Later(Skip(choice.Kind, may.Count == 0
                        ? "no node may be faulted now (a fault would leave too few nodes)"
                        : "every node that may be faulted is under a fault already"));
                    continue;
                }

                var node = _chooser.Pick(nodes, _ => 1);
                var sequence = ++_sequence;
                taken.Add(node);
                (asked, holding) = (asked + 1, holding + 1);
                outcomes.Add((Task.FromResult<string?>(null), _ => InjectNode(node, choice.Kind, sequence)));
                continue;
            }

            if (candidates is null)
            {
                candidates = await _catalog.GatherAsync();
                if (_stopped.IsCancellationRequested)
                {
                    return; // it stopped while the targets were asked for
                }
            }

            var target = _chooser.PickTarget(candidates, t => Apart(t.Path, taken) && EligibleNow(t) && Handles(choice.Kind, t));
            if (target is null)
            {
                Later(Skip(choice.Kind, "no target is running"));
                continue;
            }

            if (Prepare(target, target.Path, choice.Kind, choice) is not { } fault)
            {
                break; // the exception factory threw: the run ends once what was asked for is journaled
            }

            taken.Add(target.Path);
            asked++;
            holding += choice.Kind is FaultKind.Delay or FaultKind.Drop or FaultKind.FailingUpgrade ? 0 : 1;
            outcomes.Add((AskAsync(fault), why => Carried(fault, why)));
        }

        foreach (var (answer, journal) in outcomes)
        {
            var why = await answer;
            if (_stopped.IsCancellationRequested || _ended)
            {
                return; // the injector stopped while the supervisors were asked, or a journal sink ended the run: it is reported
            }

            journal(why);
        }

        EndIfFactoryFailed();

        void Later(FaultRecord skipped) => outcomes.Add((Task.FromResult<string?>(null), _ => Skipped(skipped)));
    }

    /// <summary>A skipped attempt, numbered now and journaled in its turn.</summary>
    private FaultRecord Skip(FaultKind kind, string why) => new(++_sequence, Now, "", kind, TimeSpan.Zero, 0, why);

    /// <summary>Why the run ends once the faults already asked for are journaled (a fault's exception factory threw), if it does.</summary>
    private string? _endWhenJournaled;

    private void EndIfFactoryFailed()
    {
        if (_endWhenJournaled is { } why)
        {
            End(why);
        }
    }

    /// <summary>Whether <see cref="ChaosOptions.MaxFaults"/> would be spent by the faults carried out and those asked for.</summary>
    private bool Spent(int asked) => _options.MaxFaults is { } max && _ledger.CarriedOut + asked >= max;

    /// <summary>Neither the same path as any of <paramref name="taken"/>, nor above or under one.</summary>
    private static bool Apart(string path, List<string> taken)
    {
        foreach (var other in taken)
        {
            if (Nested(path, other) || Nested(other, path))
            {
                return false;
            }
        }

        return true;

        static bool Nested(string inner, string outer) =>
            inner.StartsWith(outer, StringComparison.Ordinal) && (inner.Length == outer.Length || inner[outer.Length] == '/');
    }
}

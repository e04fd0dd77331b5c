using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Supervise.Runtime;

// An actor's async handlers must continue on the actor's own context: no ConfigureAwait(false) here.
#pragma warning disable CA2007

namespace Supervise.Chaos;

/// <summary>Carrying out one fault: choosing it (or reading it from the journal), asking the target's supervisor, journaling it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "_stopped is cancelled when the actor stops and is never disposed: its token may still be read by an ask ending after that; it holds no timer or handle.")]
internal sealed partial class InjectorActor
{
    /// <summary>Cancelled when the injector stops: its asks still waiting end, and nothing keeps the run reachable after it.</summary>
    private readonly CancellationTokenSource _stopped = new();

    private async Task InjectOneAsync()
    {
        if (_options.Replay is { } replay)
        {
            var record = replay.Faults[_replayIndex++];
            if (record.Skipped is not null)
            {
                // Journaled again as it was (its parameters included), as skipped for the same reason.
                Skipped(record with { Sequence = ++_sequence, At = Now });
            }
            else if (record.Kind.IsNodeFault())
            {
                if (NodeTargets().Contains(record.Target, StringComparer.Ordinal))
                {
                    InjectNode(record.Target, record.Kind, ++_sequence);
                }
                else
                {
                    Skipped(record with { Sequence = ++_sequence, At = Now, Skipped = "the node may not be faulted now (it is gone, or a fault would leave too few nodes)" });
                }
            }
            else
            {
                var journaled = (await _catalog.GatherAsync()).FirstOrDefault(t => t.Path == record.Target);
                await InjectAsync(journaled, record.Target, record.Kind, new FaultChoice(record.Kind) { Duration = record.Duration, Count = record.Count });
            }

            return;
        }

        await InjectFaultsAsync(1);
    }

    /// <summary>
    /// A crash, poison or failing restart is thrown inside the child while it handles a message: a child held
    /// by an injected delay or hang handles none until the clock moves, so it is not chosen for those.
    /// </summary>
    private bool Handles(FaultKind kind, FaultTarget t) =>
        kind is not (FaultKind.Crash or FaultKind.Poison or FaultKind.FailingRestart) || !_runtime.Holds.IsSuspended(t.Running!);

    /// <summary>Whether <see cref="ChaosOptions.MaxFaults"/> faults have been carried out: no more are injected.</summary>
    private bool BudgetSpent => _options.MaxFaults is { } max && _ledger.CarriedOut >= max;

    private void Skipped(FaultRecord record)
    {
        _ledger.Skipped(record.Skipped ?? "");
        _state.Add(record);
        _runtime.Publish(new FaultSkipped(_treeName, _runtime.Now, record));
    }

    /// <summary>What may keep a target the options allow from being hit now: a fault under way there, a hold on its supervisor, a hang above it.</summary>
    private bool EligibleNow(FaultTarget t) =>
        !_ledger.Targets(t.Path) && !_runtime.Holds.IsSuspended(t.Supervisor) && !_ledger.Hung(t.Path);

    private async Task InjectAsync(FaultTarget? target, string path, FaultKind kind, FaultChoice choice)
    {
        if (Prepare(target, path, kind, choice) is not { } fault)
        {
            EndIfFactoryFailed();
            return;
        }

        var why = await AskAsync(fault);
        if (!_stopped.IsCancellationRequested)
        {
            Carried(fault, why); // unless the injector stopped while the supervisor was asked: its run is over and reported
        }
    }

    /// <summary>A fault chosen and numbered, to be asked of its target's supervisor.</summary>
    private sealed record Planned(FaultTarget? Target, string Path, FaultKind Kind, FaultChoice Choice, Exception Error, FaultRecord Record)
    {
        /// <summary>The tree's clock before the supervisor was asked: every event the fault causes is stamped at or after this.</summary>
        public DateTimeOffset SentAt { get; init; }
    }

    /// <summary>The fault's exception made and its number taken; null if the user's exception factory threw (the run ends).</summary>
    private Planned? Prepare(FaultTarget? target, string path, FaultKind kind, FaultChoice choice)
    {
        Exception error;
        try
        {
            error = choice.Exception?.Invoke(path) ?? new InjectedFaultException($"Injected {kind} (fault {_sequence + 1}, seed {_seed}) in {path}");
        }
        catch (Exception e)
        {
            // The user's factory is broken: every fault of this kind would fail the same way. The run ends, saying so.
            _log.Error(e, "Chaos on {0}: the exception factory of {1} threw for {2}; the run ends", _treeName, kind, path);
            _endWhenJournaled = $"the exception factory of {kind} threw {e.GetType().Name} for {Show.Cut(path)}: {e.Message}";
            return null;
        }

        var record = new FaultRecord(++_sequence, Now, path, kind, kind is FaultKind.Delay or FaultKind.Hang ? choice.Duration : TimeSpan.Zero, kind == FaultKind.Drop ? choice.Count : 0, null)
        {
            Exception = kind is FaultKind.Crash or FaultKind.Poison or FaultKind.FailingRestart or FaultKind.FailingUpgrade ? error.GetType().FullName : null,
        };
        // Before the supervisor is asked: an event stamped before this was about an earlier incarnation, only handled late by this actor.
        return new Planned(target, path, kind, choice, error, record) { SentAt = _runtime.Now };
    }

    /// <summary>Asks the target's supervisor to carry the fault out: null if it did, else why not.</summary>
    private async Task<string?> AskAsync(Planned fault)
    {
        var target = fault.Target;
        if (target is null)
        {
            return "no such target is running";
        }

        if (target.ChildId == "")
        {
            // The root itself: a simulated bug; the tree stops in order.
            target.Supervisor.Tell(new SimulatedBug($"fault {fault.Record.Sequence}"));
            return null;
        }

        _catalog.Forget(target.SupervisorPath);
        var applied = await _runtime.AskUnlessGoneAsync<FaultApplied>(
            target.Supervisor,
            new InjectFault(fault.Record.Sequence, target.ChildId, fault.Kind, fault.Error, fault.Choice.Duration, fault.Choice.Count, _options.StayBelowIntensity ? _options.IntensityShare : null),
            _stopped.Token);
        return applied is null ? "its supervisor stopped, or did not answer" : applied.Applied ? null : applied.Why;
    }

    /// <summary>Journals the supervisor's answer: a fault carried out (then followed by the ledger) or skipped with why.</summary>
    private void Carried(Planned fault, string? why)
    {
        var (target, kind, choice) = (fault.Target, fault.Kind, fault.Choice);
        var record = fault.Record with { Skipped = why };
        if (why is not null)
        {
            Skipped(record);
            return;
        }

        _ledger.Count(kind, fault.Path); // counted before the journal's sink is called: a sink that throws leaves the figures whole
        _state.Add(record);
        _runtime.Publish(new FaultInjected(target!.SupervisorPath, _runtime.Now, target.ChildId, record));
        var active = new ActiveFault(record, target, Now, fault.Error) { At = fault.SentAt };
        if (kind is FaultKind.Delay or FaultKind.Drop or FaultKind.FailingUpgrade)
        {
            // Armed on the child's address for its next messages, or on the child for its next upgrade; nothing to wait for.
            if (kind == FaultKind.Drop)
            {
                _ledger.ArmedDrop(InjectFault.DropReason(fault.Error), choice.Count);
            }

            _ledger.Finish(active, kind == FaultKind.Delay ? choice.Duration : TimeSpan.Zero);
        }
        else
        {
            if (kind == FaultKind.Hang)
            {
                // Over when its time is: until then it holds its place, and its target is not hit again.
                active.Until = Now + choice.Duration;
                active.WaitingForClock = true;
                active.Timer = _runtime.Schedule(Self, new FaultOver(active), choice.Duration);
            }

            _ledger.Active.Add(active);
        }

        UpdateUnsettled();
    }

    /// <summary>
    /// A whole node's fault: journaled and counted here, carried out by <see cref="ChaosOptions.Nodes"/>, and
    /// over when the nodes left agree on the cluster again. Nothing in this tree is its blast radius.
    /// </summary>
    private void InjectNode(string node, FaultKind kind, long sequence)
    {
        var record = new FaultRecord(sequence, Now, node, kind, TimeSpan.Zero, 0, null);
        _ledger.Count(kind, node);
        _state.Add(record);
        _runtime.Publish(new FaultInjected(_treeName, _runtime.Now, "node:" + node, record));
        var target = new FaultTarget("", ActorRefs.Nobody, node, ChildKind.Worker, [], null, null, []);
        var active = new ActiveFault(record, target, Now, new InjectedFaultException($"Injected {kind} (fault {record.Sequence}, seed {_seed}) on node {node}"))
        {
            At = _runtime.Now,
            Landed = true, // its effect is outside this tree: nothing here to see land
        };
        _ledger.Active.Add(active);
        UpdateUnsettled();
        Task<TimeSpan?> carried;
        try
        {
            carried = _options.Nodes!.InjectAsync(kind, node, _options.RecoveryTimeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            carried = Task.FromException<TimeSpan?>(e); // a node fault that could not be carried out is over, not recovered
        }

        carried.PipeTo(
            Self,
            success: recovered => new NodeFaultOver(active, recovered, null),
            failure: e => new NodeFaultOver(active, null, e));
    }

    private void NodeOver(NodeFaultOver over)
    {
        if (over.Error is { } error)
        {
            _log.Warning(error, "Node fault {0} ({1} on {2}) failed: {3}", over.Fault.Record.Sequence, over.Fault.Record.Kind, over.Fault.Record.Target, error.Message);
        }

        if (_ended || !_ledger.Active.Remove(over.Fault))
        {
            return; // the run ended first, or the fault timed out
        }

        _ledger.Finish(over.Fault, over.RecoveredAfter);
        UpdateUnsettled();
        EndedWhenDone();
    }

    /// <summary>An injection time has come: the one scheduled with this id (an earlier one, replaced, is ignored).</summary>
    internal sealed record Tick(long Id);

    internal sealed class AbortCheck
    {
        public static readonly AbortCheck Instance = new();
    }

    /// <summary>The tree has settled after a fault of a burst: the next one may come.</summary>
    internal sealed record BurstNext(StrongBox<bool> Settling, bool Settled);

    /// <summary>A hang's time is up (its own timer says so: timers may round, so the clock is not compared).</summary>
    private sealed record FaultOver(ActiveFault Fault);

    private sealed record NodeFaultOver(ActiveFault Fault, TimeSpan? RecoveredAfter, Exception? Error);

    /// <summary>Whether this injection time's tree has settled before its first fault (virtual time only).</summary>
    private bool _firstSettled;

    /// <summary>
    /// In virtual time, an injection time's first fault waits, as each next fault of a burst does, until the tree has done
    /// what the clock's move set off at the instants before it (a hang lifted, and a group restart it held going on), so
    /// that what the fault finds does not depend on the threads. Returns <see langword="true"/> while it waits.
    /// </summary>
    private bool SettleBeforeFirstFault()
    {
        if (_runtime.RealTime || _firstSettled || _burstLeft == 0)
        {
            return false;
        }

        _firstSettled = true;
        BurstPending(true);
        WaitToSettle();
        return true;
    }

    private void BurstPending(bool pending)
    {
        if (_state.BurstPending != pending)
        {
            _state.BurstPending = pending;
            _runtime.Counts.PendingInjectionsChanged(pending ? 1 : -1);
        }
    }

    /// <summary>
    /// How far behind its schedule the run ended: the lateness of its last injection (a run that stopped injecting, at
    /// MaxFaults say, keeps what it was), or, when it ended while its next injection time was still unreached, how far.
    /// </summary>
    private TimeSpan BehindSchedule()
    {
        var unreached = TimeSpan.FromTicks(Math.Max(0, Math.Min(Now.Ticks, (_options.Duration ?? Now).Ticks) - _nextAt.Ticks));
        return _state.Lateness > unreached ? _state.Lateness : unreached;
    }
}

using Akka.Actor;
using Supervise.Supervision;
using Supervise.Upgrades;

namespace Supervise.Runtime;

/// <summary>
/// Carrying out a live upgrade (the decisions are <see cref="UpgradeRun"/>'s): each change is one of the runtime calls this
/// supervisor already answers (terminate, restart, start, delete), sent to itself so that it waits its turn like any call;
/// a step's children are watched for crashes and for being Running at the end of the window; a failed step is undone.
/// Restarts an upgrade makes are not counted in the restart window (as OTP's terminate_child and restart_child are not);
/// crashes of the new incarnations are, as any crash.
/// </summary>
internal sealed partial class SupervisorActor
{
    /// <summary>How many times a change stops a child that its group's restarts keep starting again before the change fails.</summary>
    private const int MaxAttempts = 3;

    private Upgrade? _upgrade;

    /// <summary>One of the runtime calls a change is made of, sent to this supervisor so that it waits its turn like any call.</summary>
    private void Call(object request) => Self.Tell(new UpgradeCall(_upgrade!.Token, request), Self);

    /// <summary>A call an upgrade sent itself: carried out only while that upgrade is under way (not by a later incarnation, after a restart in place).</summary>
    private void OnUpgradeCall(UpgradeCall call)
    {
        if (_upgrade?.Token == call.Token)
        {
            _core.Submit(new PendingWork(call.Request, Self), WorkKind.Call);
        }
    }

    private void BeginUpgrade(UpgradeRequest request, IActorRef sender)
    {
        var current = RunningSpec();
        var plan = UpgradePlan.Make(current, request.Next, _path, RunningDynamicChildren());
        var problems = plan.Problems.Concat(request.Options.Validate()).ToList();
        if (_upgrade is not null)
        {
            problems.Add(new SpecProblem(_path, "upgrade", "no other upgrade of this supervisor running", "one is running"));
        }

        if (_core.Phase != SupervisorPhase.Running)
        {
            problems.Add(new SpecProblem(_path, "upgrade", "a running supervisor", _core.Phase.ToString()));
        }

        if (problems.Count > 0)
        {
            var refused = new UpgradeResult.Refused(plan, problems);
            _events.Publish(new UpgradeEnded(_path, _runtime.Now, refused));
            sender.Tell(refused);
            return;
        }

        var batches = (current, request.Next) switch
        {
            (SupervisorSpec now, SupervisorSpec next) => UpgradeBatch.Of(plan, now.Children, next.Children, request.Options),
            (DynamicSupervisorSpec now, DynamicSupervisorSpec next) => UpgradeBatch.OfDynamic(plan, now.Template, next.Template, request.Options),
            _ => [],
        };
        // Numbered across the tree: a call an earlier incarnation's upgrade sent itself is told from this one's.
        _upgrade = new Upgrade(_runtime.NextEpoch(), plan, request.Next, request.Options, sender, new UpgradeRun(batches, request.Options));
        _events.Publish(new UpgradeStarted(_path, _runtime.Now, plan));
        Act(_upgrade.Run.Start());
    }

    private void Act(UpgradeAction action)
    {
        var upgrade = _upgrade!;
        switch (action)
        {
            case UpgradeAction.Apply apply:
                upgrade.Begin(apply.Batch.Do, undoing: false);
                NextChange();
                break;
            case UpgradeAction.Undo undo:
                upgrade.Begin(undo.Batch.Undo, undoing: true);
                NextChange();
                break;
            case UpgradeAction.Watch watch:
                upgrade.Watched = [.. watch.Children];
                StartTimer(upgrade, watch.Window);
                break;
            case UpgradeAction.Pause pause:
                StartTimer(upgrade, pause.Delay);
                break;
            case UpgradeAction.Finish finish:
                FinishUpgrade(upgrade, finish.End);
                break;
        }
    }

    /// <summary>Carries out the next change of the step under way, or reports the step done.</summary>
    private void NextChange()
    {
        var upgrade = _upgrade!;
        if (!upgrade.Changes.TryDequeue(out var change))
        {
            Act(upgrade.StepFailure is { } failure ? upgrade.Run.Failed(failure.Child, failure.Why) : upgrade.Run.Done());
            return;
        }

        upgrade.Change = change;
        upgrade.Attempts = 0;
        switch (change)
        {
            case ReplaceOp or ReplaceTemplateOp when Find(change.ChildId) is { } replaced:
                BeginReplacement(upgrade, replaced);
                break;
            case ReplaceTemplateOp:
                ChangeDone("it had left before its replacement"); // a dynamic child that stopped meanwhile: nothing to replace
                break;
            case RemoveOp or ReplaceOp:
                Call(new TerminateChildRequest(change.ChildId, null));
                break;
            case AddOp add:
                Call(new StartChildRequest(add.Spec));
                break;
            case UpdateOp update:
                if (Find(update.ChildId) is { } record)
                {
                    Reshape(record, record.Spec with
                    {
                        Restart = update.Spec.Restart,
                        Shutdown = update.Spec.Shutdown,
                        Significant = update.Spec.Significant,
                        Criticality = update.Spec.Criticality,
                        Policies = update.Spec.Policies,
                        Tags = update.Spec.Tags,
                    });
                    ChangeDone(upgrade.Undoing ? "settings restored" : "settings updated in place");
                }
                else
                {
                    ChangeFailed("it is no longer a child");
                }

                break;
            case UpgradeBelowOp below:
                if (Find(below.ChildId) is { Ref: { } nested })
                {
                    var options = upgrade.Undoing ? upgrade.Options with { OnFailure = UpgradeFailureAction.Continue, WatchWindow = TimeSpan.Zero } : upgrade.Options;
                    nested.Tell(new UpgradeRequest(below.Spec.Supervisor!, options), Self);
                }
                else
                {
                    ChangeFailed("the nested supervisor is not running");
                }

                break;
        }
    }

    /// <summary>An answer to a call the upgrade made of this supervisor (or of a nested one).</summary>
    private void OnUpgradeAnswer(object answer, IActorRef sender)
    {
        if (_upgrade?.Change is not { } change)
        {
            return;
        }

        if (change is UpgradeBelowOp && (Find(change.ChildId)?.Ref is not { } answering || !answering.Equals(sender)))
        {
            return; // not from the nested supervisor being upgraded now (a late answer of an earlier change)
        }

        if (answer is Status.Failure failure)
        {
            ChangeFailed(change is UpgradeBelowOp ? "its own upgrade failed: " + failure.Cause.Message : "the supervisor could not take the call: " + failure.Cause.Message);
            return;
        }

        switch (change, answer)
        {
            case (RemoveOp, TerminateChildResult):
                Call(new DeleteChildRequest(change.ChildId));
                break;
            case (RemoveOp or ReplaceOp, DeleteChildResult.Running or DeleteChildResult.Restarting or RestartChildResult.Running or RestartChildResult.Restarting):
                // Started again between the stop and the next call (a restart of its group starts stopped children too, as
                // OTP's does): stopped again, so that no incarnation of the old spec is left running.
                if (++_upgrade.Attempts > MaxAttempts)
                {
                    ChangeFailed($"it was started again by its group's restarts {MaxAttempts} times as the upgrade stopped it");
                }
                else
                {
                    Call(new TerminateChildRequest(change.ChildId, null));
                }

                break;
            case (RemoveOp, DeleteChildResult):
                ChangeDone(_upgrade.Undoing ? "removed (its addition undone)" : "removed");
                break;
            case (ReplaceTemplateOp, TerminateChildResult.NotFound):
                ChangeDone("it had left before its replacement");
                break;
            case (ReplaceTemplateOp template, TerminateChildResult):
                StartFromTemplate(template);
                break;
            case (ReplaceTemplateOp template, RestartChildResult.Restarted):
                TemplateReplaced(template);
                break;
            case (ReplaceOp replace, TerminateChildResult):
                if (Find(replace.ChildId) is { } record)
                {
                    Reshape(record, replace.Spec);
                    if (FailsInjectedUpgrade(record, "its new spec"))
                    {
                        break;
                    }

                    Call(new RestartChildRequest(replace.ChildId));
                }
                else
                {
                    Call(new StartChildRequest(replace.Spec)); // a Temporary child is forgotten once stopped
                }

                break;
            case (ReplaceOp replace, RestartChildResult.Restarted or StartChildResult.Started):
                if (answer is StartChildResult.Started)
                {
                    MoveTo(replace.ChildId, _upgrade.Positions.GetValueOrDefault(replace.ChildId, int.MaxValue)); // a Temporary child, added again last
                }

                if (Find(replace.ChildId) is { } running)
                {
                    Unhold(running); // what its address held goes to the incarnation that runs now
                }

                ChangeDone((_upgrade.Undoing, replace.Spec.Version) switch
                {
                    (true, { } version) => $"restored to version {version}",
                    (true, null) => "restored to its previous spec",
                    (false, { } version) => $"replaced by version {version}",
                    (false, null) => "replaced by a spec without a version",
                });
                break;
            case (AddOp add, StartChildResult.Started or StartChildResult.AlreadyStarted):
                MoveTo(add.ChildId, add.Position);
                ChangeDone(_upgrade.Undoing ? "started again (its removal undone)" : "added");
                break;
            case (UpgradeBelowOp, UpgradeResult.Completed):
                // Its record here took its new spec already: the nested supervisor tells it before it answers (NestedSpecChanged).
                ChangeDone(_upgrade.Undoing ? "restored below" : "upgraded below");
                break;
            case (_, RestartChildResult.Failed failed):
                ChangeFailed("its new spec failed to start: " + failed.Cause.Message);
                break;
            case (_, StartChildResult.Failed failed):
                ChangeFailed("it failed to start: " + failed.Cause.Message);
                break;
            case (_, UpgradeResult nestedResult):
                ChangeFailed("its own upgrade " + nestedResult switch
                {
                    UpgradeResult.RolledBack r => "was rolled back: " + r.Failure,
                    UpgradeResult.Stopped r => "stopped: " + r.Failure,
                    UpgradeResult.Refused r => "was refused: " + string.Join("; ", r.Problems),
                    _ => "did not complete",
                });
                break;
            default:
                ChangeFailed("the supervisor answered " + answer);
                break;
        }
    }

    private void ChangeDone(string how)
    {
        var upgrade = _upgrade!;
        _events.Publish(new ChildUpgraded(_path, _runtime.Now, upgrade.Change!.ChildId, how));
        upgrade.Change = null;
        NextChange();
    }

    private void ChangeFailed(string why)
    {
        var upgrade = _upgrade!;
        if ((upgrade.Undoing || upgrade.Options.OnFailure != UpgradeFailureAction.RollBack) && Find(upgrade.Change!.ChildId) is { } child)
        {
            Unhold(child); // no undo will run it again: what its address held goes by its policies (reported if dropped)
        }

        upgrade.StepFailure ??= (upgrade.Change!.ChildId, why);
        upgrade.Change = null;
        NextChange(); // the step's other changes still run (undoing a change never made does nothing), then the step fails
    }

    /// <summary>
    /// A child an upgrade step changed crashed during its watch, and the restart window has room for it: the crash is reported and
    /// counted, the child is not restarted (it stays suspended, failed), and the step fails at once, so that its undo replaces the
    /// child by its previous spec before a crash loop of the new version could use up the window. With no room (or the supervisor
    /// busy, or a failed step not rolled back), the crash takes its usual path, and the supervisor gives up as OTP's would.
    /// </summary>
    private bool WatchedCrashRollsBack(ChildRecord record, PendingFailure failure)
    {
        if (_upgrade is not { Watched: { } watched } upgrade || !watched.Contains(record.Id) || Busy || _group is not null
            || upgrade.Options.OnFailure != UpgradeFailureAction.RollBack // nothing would replace it: it is restarted as usual
            || _window.CountAt(_runtime.Elapsed) + _reservedRestarts + 1 > _spec.Intensity)
        {
            return false;
        }

        _window.Record(_runtime.Elapsed, record);
        ReleaseReserved(record); // counted here, not through the core
        ReportCrash(record, failure, covered: false);
        record.MoveTo(ChildLifecycle.Crashed); // suspended by its crash: the undo's stop stops it at once
        Outcome("rolled back by the upgrade under way");
        EndCrashSpan();
        EndWatch(upgrade, (record.Id, "it crashed during its watch: " + failure.Cause.Message));
        RefreshHealth();
        return true;
    }

    /// <summary>A watched child crashed: the watch fails now. A nested supervisor crashed during its own upgrade: that change fails.</summary>
    private void WatchedChildCrashed(ChildRecord record, Exception cause)
    {
        if (_upgrade is { Watched: { } watched } upgrade && watched.Contains(record.Id))
        {
            EndWatch(upgrade, (record.Id, "it crashed during its watch: " + cause.Message));
        }
        else if (_upgrade?.Change is UpgradeBelowOp below && below.ChildId == record.Id)
        {
            ChangeFailed("it crashed during its own upgrade: " + cause.Message); // its answer, if any, comes from an ended incarnation
        }
    }

    /// <summary>A watch window or a pause: the timer's number tells its message from one of a timer ended early (a watch a crash failed).</summary>
    private void StartTimer(Upgrade upgrade, TimeSpan delay) =>
        upgrade.Timer = _runtime.Schedule(Self, new UpgradeTimerDue(upgrade.Token, ++upgrade.Timers), delay);

    private void OnUpgradeTimer(UpgradeTimerDue due)
    {
        if (_upgrade is not { } upgrade || due.Token != upgrade.Token || due.Timer != upgrade.Timers || upgrade.Timer is null)
        {
            return; // another upgrade's, or a timer ended before it fired
        }

        upgrade.Timer = null;
        if (upgrade.Watched is not { } watched)
        {
            Act(upgrade.Run.Done()); // a pause is over
            return;
        }

        (string, string)? failure = null;
        foreach (var id in watched)
        {
            if (Find(id) is not { } r)
            {
                failure = (id, "it was no longer a child at the end of its watch");
                break;
            }

            if (r.Lifecycle != ChildLifecycle.Running || ChildHealthOf(r) != HealthState.Running)
            {
                failure = (id, $"it was not Running at the end of its watch ({r.Lifecycle})");
                break;
            }
        }

        EndWatch(upgrade, failure);
    }

    private void EndWatch(Upgrade upgrade, (string Child, string Why)? failure)
    {
        upgrade.Timer?.Dispose();
        upgrade.Timer = null;
        var watched = upgrade.Watched!;
        upgrade.Watched = null;
        _events.Publish(new UpgradeStepWatched(_path, _runtime.Now, watched.ToList(), upgrade.Options.WatchWindow, failure is { } f ? $"{f.Child}: {f.Why}" : null));
        Act(failure is { } failed ? upgrade.Run.Failed(failed.Child, failed.Why) : upgrade.Run.Done());
    }

    private void FinishUpgrade(Upgrade upgrade, UpgradeEnd end)
    {
        _upgrade = null;
        UnholdAll();
        ForgetStoppedDynamicChildren();
        if (end == UpgradeEnd.Completed)
        {
            TakeSettings(upgrade.Next);
        }
        else
        {
            // Rolled back or stopped: its settings stay; its spec says what its children run now (a stop keeps their change).
            _spec = RunningSpec();
            _producer.Spec = _spec;
        }

        if (_root is null && !upgrade.Plan.IsEmpty)
        {
            // A nested supervisor: its parent starts it from this spec again if it recreates it.
            Context.Parent.Tell(new NestedSpecChanged(_spec), Self);
        }

        var run = upgrade.Run;
        UpgradeResult result = end switch
        {
            UpgradeEnd.Completed => new UpgradeResult.Completed(upgrade.Plan, run.Failures),
            UpgradeEnd.RolledBack => new UpgradeResult.RolledBack(upgrade.Plan, run.FirstFailure!, run.Restored, run.Failures),
            _ => new UpgradeResult.Stopped(upgrade.Plan, run.FirstFailure!, run.Changed),
        };
        _events.Publish(new UpgradeEnded(_path, _runtime.Now, result));
        upgrade.ReplyTo.Tell(result);
        RefreshHealth();
    }

    /// <summary>This incarnation ends with an upgrade under way: its caller is told, as any caller waiting.</summary>
    private void AbandonUpgrade(string why)
    {
        if (_upgrade is { } upgrade)
        {
            _upgrade = null;
            upgrade.Timer?.Dispose();
            foreach (var record in _children)
            {
                // Not re-pointed: this incarnation ends, and its addresses are parked or left to its parent; what they hold
                // goes with them (reported if dropped).
                record.HeldForUpgrade = null;
            }

            // Said, as any end of an upgrade: the logs, the metrics and the dashboard's view of it end here too.
            _events.Publish(new UpgradeEnded(_path, _runtime.Now, new UpgradeResult.Stopped(upgrade.Plan, $"{why} during the upgrade", upgrade.Run.Changed)));
            upgrade.ReplyTo.Tell(new Status.Failure(new SupervisorUnavailableException(_path, why + " during an upgrade")));
        }
    }

    /// <summary>The spec this supervisor runs now: its own settings, with the children it runs (a runtime call may have added or deleted some).</summary>
    private SupervisionSpec RunningSpec() => _spec is SupervisorSpec s ? s with { Children = _children.Select(c => c.PublicSpec).ToList() } : _spec;

    /// <summary>A nested supervisor's spec changed by an upgrade: its record here takes it (a static parent only: a dynamic one's children share its template).</summary>
    private void OnNestedSpecChanged(NestedSpecChanged changed, IActorRef nested)
    {
        if (!IsDynamic && _byRef.TryGetValue(nested, out var record) && record.IsSuperviseSupervisor)
        {
            Reshape(record, record.Spec with { Supervisor = changed.Spec });
        }
    }

    /// <summary>The supervisor's own settings from the next spec (strategy, window, auto-shutdown, default policies, template, order), in place.</summary>
    private void TakeSettings(SupervisionSpec next)
    {
        if (next is SupervisorSpec then)
        {
            var order = then.Children.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
            var sorted = _children.OrderBy(c => order.GetValueOrDefault(c.Id, int.MaxValue)).ToList();
            _children.Clear();
            _children.AddRange(sorted);
            _spec = then with { Children = _children.Select(c => c.PublicSpec).ToList() };
            foreach (var record in _children)
            {
                Reshape(record, record.Spec);
            }
        }
        else
        {
            _spec = next;
            if (next is DynamicSupervisorSpec { Template: { } template })
            {
                _dynamicShape = ChildShape.Of(template, next.DefaultPolicies);
            }
        }

        _window.Reconfigure(next.Intensity, next.Period);
        _core.Reconfigure(_spec is SupervisorSpec s ? s.Strategy : Strategy.OneForOne, _spec is SupervisorSpec a ? a.AutoShutdown : AutoShutdown.Never);
        _producer.Spec = _spec; // a restart in place comes back with it
    }

    /// <summary>A static child takes <paramref name="spec"/> (its policies made again with the supervisor's defaults).</summary>
    private void Reshape(ChildRecord record, ChildSpec spec)
    {
        record.Reshape(spec, PolicySet.For(spec.Policies, _spec.DefaultPolicies));
        record.Touch();
    }

    /// <summary>Moves a child to <paramref name="position"/> among the children (the start order), or last.</summary>
    private void MoveTo(string id, int position)
    {
        if (Find(id) is not { } record)
        {
            return;
        }

        _children.Remove(record);
        _children.Insert(Math.Min(position, _children.Count), record);
    }
}

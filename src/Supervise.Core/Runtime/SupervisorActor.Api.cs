using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>The runtime API (OTP's which_children, start_child, terminate_child, ...).</summary>
internal sealed partial class SupervisorActor
{
    private const string DynamicOnly = "a dynamic supervisor makes its children from its template: call StartChildAsync(args)";
    private const string StaticOnly = "only a dynamic supervisor starts children from arguments: call StartChildAsync(spec)";
    private const string NoSpecsKept = "a dynamic supervisor keeps no specs of stopped children";

    private void HandleCall(object request, IActorRef sender)
    {
        switch (request)
        {
            case WhichChildrenRequest:
                sender.Tell(_children.Select(Describe).ToList());
                break;
            case CountChildrenRequest:
                sender.Tell(new ChildCounts(
                    _children.Count,
                    // OTP counts a child whose restart keeps failing (pid `restarting`) as not active.
                    _children.Count(c => ChildCalls.IsActive(c.Lifecycle)),
                    _children.Count(c => c.Spec.Kind == ChildKind.Supervisor),
                    _children.Count(c => c.Spec.Kind == ChildKind.Worker)));
                break;
            case GetChildSpecRequest get:
                sender.Tell(Find(get.Id) is { } found ? new ChildSpecResult.Found(found.PublicSpec) : new ChildSpecResult.NotFound(get.Id));
                break;
            case PlanUpgradeRequest plan:
                // From the children it runs now, as the upgrade itself plans: a dry run is the plan that runs.
                sender.Tell(UpgradePlan.Make(RunningSpec(), plan.Next, _path, RunningDynamicChildren()));
                break;
            case UpgradeRequest upgrade:
                BeginUpgrade(upgrade, sender);
                break;
            case StartChildRequest start:
                StartChild(start, sender);
                break;
            case StartDynamicChildRequest startDynamic:
                StartDynamicChild(startDynamic.Args, sender);
                break;
            case StartDynamicChildrenRequest startMany:
                StartDynamicChildren(startMany.Args, sender);
                break;
            case TerminateChildRequest terminate:
                TerminateChild(terminate, sender);
                break;
            case RestartChildRequest restart:
                RestartChild(restart, sender);
                break;
            case StartAgainRequest again:
                StartAgain(again.Id, sender);
                break;
            case DeleteChildRequest delete:
                DeleteChild(delete.Id, sender);
                break;
        }
    }

    private static ChildInfo Describe(ChildRecord record)
    {
        var status = ChildCalls.StatusOf(record.Lifecycle);
        return new ChildInfo(record.Id, status == ChildStatus.Running ? record.Ref : null, status, record.Spec.Kind, record.Spec.Restart);
    }

    private ChildRecord? Find(string id) => _children.Find(c => string.Equals(c.Id, id, StringComparison.Ordinal));

    private void StartChild(StartChildRequest request, IActorRef sender)
    {
        if (IsDynamic)
        {
            sender.Tell(new StartChildResult.NotSupported(DynamicOnly));
            return;
        }

        // While an upgrade adds children, they are checked against the spec it is taking the supervisor to.
        var parent = _upgrade is { Undoing: false, Next: SupervisorSpec next } ? next : (SupervisorSpec)_spec;
        var problems = SpecValidator.ValidateChild(request.Spec, parent, _path);
        if (problems.Count > 0)
        {
            sender.Tell(new StartChildResult.InvalidSpec(problems));
            return;
        }

        var spec = request.Spec;
        var existing = Find(spec.Id);
        switch (ChildCalls.Answer(ChildCall.Start, dynamic: false, existing?.Lifecycle, _dyingNames.Contains(spec.Id)))
        {
            case CallAnswer.AlreadyStarted:
                sender.Tell(new StartChildResult.AlreadyStarted(spec.Id, existing!.Ref!));
                return;
            case CallAnswer.AlreadyPresent:
                sender.Tell(new StartChildResult.AlreadyPresent(spec.Id));
                return;
            case CallAnswer.WaitForName:
                _waitingForNames.Add(new PendingWork(request, sender));
                return;
        }

        AddAndStart(Adopt(new ChildRecord(spec, PolicySet.For(spec.Policies, parent.DefaultPolicies), _book)), sender);
    }

    private void StartDynamicChild(object? args, IActorRef sender)
    {
        if (_spec is not DynamicSupervisorSpec dynamic)
        {
            sender.Tell(new StartChildResult.NotSupported(StaticOnly));
            return;
        }

        if (ChildCalls.Room(dynamic.MaxChildren, _children.Count, 1) == 0)
        {
            sender.Tell(new StartChildResult.MaxChildrenReached(dynamic.MaxChildren!.Value));
            return;
        }

        AddAndStart(NewDynamicChild(dynamic.Template, args), sender);
    }

    /// <summary>Starts a batch of dynamic children at once; answers one result per argument, in order.</summary>
    private void StartDynamicChildren(IReadOnlyList<object?> args, IActorRef sender)
    {
        if (_spec is not DynamicSupervisorSpec dynamic)
        {
            sender.Tell(args.Select(_ => (StartChildResult)new StartChildResult.NotSupported(StaticOnly)).ToList());
            return;
        }

        var room = ChildCalls.Room(dynamic.MaxChildren, _children.Count, args.Count);
        var records = args.Take(room).Select(a => NewDynamicChild(dynamic.Template, a)).ToList();
        _children.AddRange(records);
        _byRef.EnsureCapacity(_byRef.Count + records.Count); // sized once: grown by doubling it would keep up to twice the room, ~20 bytes a child
        var batch = new BatchStart<ChildRecord>(this, records, failed =>
        {
            var results = new List<StartChildResult>(args.Count);
            foreach (var record in records)
            {
                if (failed.TryGetValue(record, out var cause))
                {
                    RemoveChild(record);
                    results.Add(new StartChildResult.Failed(record.Id, new ChildStartException(_path, record.Id, cause)));
                }
                else
                {
                    results.Add(new StartChildResult.Started(record.Id, record.Ref!));
                }
            }

            results.AddRange(args.Skip(records.Count).Select(_ => new StartChildResult.MaxChildrenReached(dynamic.MaxChildren!.Value)));
            sender.Tell(results);
            _core.Drain();
        });
        _starting = batch;
        batch.Begin();
    }

    /// <summary>A new dynamic child: its own id and arguments, and the supervisor's one template-made spec.</summary>
    private ChildRecord NewDynamicChild(ChildTemplate template, object? args) =>
        Adopt(new((++_nextDynamicId).ToString(System.Globalization.CultureInfo.InvariantCulture), _dynamicShape!, _book, args));

    /// <summary>Adds a new child after the others and starts it; a child that fails to start is not kept.</summary>
    private void AddAndStart(ChildRecord record, IActorRef sender)
    {
        _children.Add(record);
        StartOne(
            record,
            () => sender.Tell(new StartChildResult.Started(record.Id, record.Ref!)),
            cause =>
            {
                RemoveChild(record);
                sender.Tell(new StartChildResult.Failed(record.Id, cause));
            });
    }

    private void StartOne(ChildRecord record, Action onStarted, Action<Exception> onFailed)
    {
        var sequence = new StartSequence<ChildRecord>(
            this,
            [record],
            () =>
            {
                onStarted();
                _core.Drain();
            },
            (_, cause) =>
            {
                onFailed(new ChildStartException(_path, record.Id, cause));
                _core.Drain();
            });
        _starting = sequence;
        sequence.Next();
    }

    private void TerminateChild(TerminateChildRequest request, IActorRef sender)
    {
        // By reference only a dynamic supervisor looks (ChildCalls answers not_found on a static one: no scan for it).
        var record = request.Child is { } child
            ? (!IsDynamic ? null : _byRef.TryGetValue(child, out var byRef) ? byRef : _children.Find(c => child.Equals(c.Ref)))
            : Find(request.Id!);
        var id = record?.Id ?? request.Id ?? request.Child?.Path.Name ?? "?";
        if (ChildCalls.Answer(request.Child is null ? ChildCall.TerminateById : ChildCall.TerminateByRef, IsDynamic, record?.Lifecycle, nameHeld: false) != CallAnswer.Proceed || record is null)
        {
            sender.Tell(new TerminateChildResult.NotFound(id));
            return;
        }

        // Whatever was queued for its earlier state (an exit, a retry) is stale now, as in OTP.
        record.Generation++;
        if (record.Lifecycle is ChildLifecycle.WaitingToRestart or ChildLifecycle.Exited)
        {
            record.MoveTo(ChildLifecycle.NotRunning); // no restart follows
        }

        ResetPolicyState(record);

        void Done()
        {
            if (!request.Keep && ChildCalls.ForgottenWhenTerminated(record.Spec.Restart, IsDynamic))
            {
                RemoveChild(record);
            }

            sender.Tell(new TerminateChildResult.Terminated(id));
        }

        if (record.Ref is null)
        {
            Done();
            return;
        }

        _stopping = new StopSequence<ChildRecord>(this, [record], concurrent: false, () =>
        {
            Done();
            _core.Drain();
        });
        _stopping.Begin();
    }

    private void RestartChild(RestartChildRequest request, IActorRef sender)
    {
        var record = IsDynamic ? null : Find(request.Id);
        switch (ChildCalls.Answer(ChildCall.Restart, IsDynamic, record?.Lifecycle, _dyingNames.Contains(request.Id)))
        {
            case CallAnswer.NotSupported:
                sender.Tell(new RestartChildResult.NotSupported(NoSpecsKept));
                return;
            case CallAnswer.NotFound:
                sender.Tell(new RestartChildResult.NotFound(request.Id));
                return;
            case CallAnswer.Restarting:
                sender.Tell(new RestartChildResult.Restarting(request.Id));
                return;
            case CallAnswer.Running:
                sender.Tell(new RestartChildResult.Running(request.Id));
                return;
            case CallAnswer.WaitForName:
                _waitingForNames.Add(new PendingWork(request, sender));
                return;
        }

        StartStopped(record!, sender);
    }

    /// <summary>Starts a stopped child again from its record; the caller is told Restarted or Failed (OTP's restart_child).</summary>
    private void StartStopped(ChildRecord stopped, IActorRef sender)
    {
        ResetPolicyState(stopped);
        StartOne(
            stopped,
            () => sender.Tell(new RestartChildResult.Restarted(stopped.Id, stopped.Ref!)),
            cause => sender.Tell(new RestartChildResult.Failed(stopped.Id, cause)));
    }

    private void DeleteChild(string id, IActorRef sender)
    {
        var record = IsDynamic ? null : Find(id);
        switch (ChildCalls.Answer(ChildCall.Delete, IsDynamic, record?.Lifecycle, nameHeld: false))
        {
            case CallAnswer.NotSupported:
                sender.Tell(new DeleteChildResult.NotSupported(NoSpecsKept));
                break;
            case CallAnswer.NotFound:
                sender.Tell(new DeleteChildResult.NotFound(id));
                break;
            case CallAnswer.Restarting:
                sender.Tell(new DeleteChildResult.Restarting(id));
                break;
            case CallAnswer.Running:
                sender.Tell(new DeleteChildResult.Running(id));
                break;
            default:
                RemoveChild(record!);
                sender.Tell(new DeleteChildResult.Deleted(id));
                break;
        }
    }
}

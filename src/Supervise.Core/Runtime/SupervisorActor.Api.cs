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
                    _children.Count(c => c.Ref is not null && !c.IsRestarting),
                    _children.Count(c => c.Spec.Kind == ChildKind.Supervisor),
                    _children.Count(c => c.Spec.Kind == ChildKind.Worker)));
                break;
            case GetChildSpecRequest get:
                sender.Tell(Find(get.Id) is { } found ? new ChildSpecResult.Found(found.PublicSpec) : new ChildSpecResult.NotFound(get.Id));
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
            case DeleteChildRequest delete:
                DeleteChild(delete.Id, sender);
                break;
        }
    }

    private static ChildInfo Describe(ChildRecord record)
    {
        var status = record.IsRestarting ? ChildStatus.Restarting
            : record.Ref is not null ? ChildStatus.Running
            : ChildStatus.NotRunning;
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

        var problems = SpecValidator.ValidateChild(request.Spec, (SupervisorSpec)_spec, _path);
        if (problems.Count > 0)
        {
            sender.Tell(new StartChildResult.InvalidSpec(problems));
            return;
        }

        var spec = request.Spec;
        if (Find(spec.Id) is { } existing)
        {
            // OTP: already_started only with a pid; a child that is restarting has none (already_present).
            sender.Tell(existing.Ref is not null && !existing.IsRestarting
                ? new StartChildResult.AlreadyStarted(spec.Id, existing.Ref)
                : new StartChildResult.AlreadyPresent(spec.Id));
            return;
        }

        if (_dyingNames.Contains(spec.Id))
        {
            _waitingForNames.Add(new PendingWork(request, sender));
            return;
        }

        AddAndStart(Adopt(new ChildRecord(spec, PolicySet.For(spec.Policies, _spec.DefaultPolicies), _book)), sender);
    }

    private void StartDynamicChild(object? args, IActorRef sender)
    {
        if (_spec is not DynamicSupervisorSpec dynamic)
        {
            sender.Tell(new StartChildResult.NotSupported(StaticOnly));
            return;
        }

        if (dynamic.MaxChildren is { } max && _children.Count >= max)
        {
            sender.Tell(new StartChildResult.MaxChildrenReached(max));
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

        var room = dynamic.MaxChildren is { } max ? Math.Max(0, max - _children.Count) : int.MaxValue;
        var records = args.Take(room).Select(a => NewDynamicChild(dynamic.Template, a)).ToList();
        _children.AddRange(records);
        _byRef.EnsureCapacity(_byRef.Count + records.Count); // sized once: grown by doubling it would keep up to twice the room, ~20 bytes a child
        var batch = new BatchStart(this, records, failed =>
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
        // OTP: a static supervisor's children are terminated by id; a reference finds nothing there (not_found).
        // A dynamic supervisor's are found by either.
        var record = request.Child is { } child
            ? (!IsDynamic ? null : _byRef.TryGetValue(child, out var byRef) ? byRef : _children.Find(c => child.Equals(c.Ref)))
            : Find(request.Id!);
        var id = record?.Id ?? request.Id ?? request.Child?.Path.Name ?? "?";
        if (record is null)
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
            if (record.Spec.Restart == RestartType.Temporary || IsDynamic)
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
        if (IsDynamic)
        {
            sender.Tell(new RestartChildResult.NotSupported(NoSpecsKept));
            return;
        }

        var record = Find(request.Id);
        if (record is null)
        {
            sender.Tell(new RestartChildResult.NotFound(request.Id));
            return;
        }

        if (record.IsRestarting)
        {
            sender.Tell(new RestartChildResult.Restarting(record.Id));
            return;
        }

        if (record.Ref is not null)
        {
            sender.Tell(new RestartChildResult.Running(record.Id));
            return;
        }

        if (_dyingNames.Contains(record.Id))
        {
            _waitingForNames.Add(new PendingWork(request, sender));
            return;
        }

        ResetPolicyState(record);
        StartOne(
            record,
            () => sender.Tell(new RestartChildResult.Restarted(record.Id, record.Ref!)),
            cause => sender.Tell(new RestartChildResult.Failed(record.Id, cause)));
    }

    private void DeleteChild(string id, IActorRef sender)
    {
        if (IsDynamic)
        {
            sender.Tell(new DeleteChildResult.NotSupported(NoSpecsKept));
            return;
        }

        var record = Find(id);
        if (record is null)
        {
            sender.Tell(new DeleteChildResult.NotFound(id));
        }
        else if (record.IsRestarting)
        {
            sender.Tell(new DeleteChildResult.Restarting(id));
        }
        else if (record.Ref is not null)
        {
            sender.Tell(new DeleteChildResult.Running(id));
        }
        else
        {
            RemoveChild(record);
            sender.Tell(new DeleteChildResult.Deleted(id));
        }
    }
}

using Akka.Actor;
using Akka.Event;
using Supervise.Chaos;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// One supervisor of a tree. It carries out OTP's rules: children start in order, exits are handled by
/// restart type, strategy and the restart window, and shutdown goes in reverse order.
/// </summary>
/// <remarks>
/// What it does is decided by its <see cref="SupervisorCore{TChild, TCrash}"/> (its phase, the work waiting its turn, what
/// an exit leads to); this actor turns Akka's messages and hooks into the core's inputs and carries out its effects. A crashed
/// child stays suspended by Akka until its failure is decided.
/// </remarks>
internal sealed partial class SupervisorActor : UntypedActor, ISupervisorEffects<ChildRecord, PendingFailure>, IStopEffects<ChildRecord>, IStartEffects<ChildRecord>, IGroupRestartEffects<ChildRecord>
{
    /// <summary>Its spec: the one it started from, or the last a live upgrade gave it.</summary>
    private SupervisionSpec _spec;
    private readonly TreeRuntime _runtime;
    /// <summary>The tree's system's event stream, where every supervision event is published.</summary>
    private readonly EventStream _events;
    private readonly string _path;
    private readonly RootLink? _root;
    /// <summary>Shared with this supervisor's other incarnations: the children that may crash after the last look of the one before.</summary>
    private readonly CrashHandover _handover;

    /// <summary>What makes this supervisor's incarnations (a live upgrade gives it the spec the next one starts from).</summary>
    private readonly SupervisorProducer _producer;
    private readonly List<ChildRecord> _children = [];
    // Keyed by reference: every ref looked up here is the instance ActorOf returned (a child's Self, in
    // Failed, in its termination notice and in its own messages), and Akka's ref hash walks the whole path.
    private readonly Dictionary<IActorRef, ChildRecord> _byRef = new(ChildRefComparer.Instance);
    private readonly Dictionary<IActorRef, string> _dying = new(ChildRefComparer.Instance);
    private readonly HashSet<string> _dyingNames = new(StringComparer.Ordinal);
    private readonly List<object> _waitingForNames = [];
    private readonly HashSet<IActorRef> _abandoned = new(ChildRefComparer.Instance);
    private readonly RestartWindow _window;
    private readonly SupervisorCore<ChildRecord, PendingFailure> _core;
    private readonly FailureHook _strategy;
    private readonly ILoggingAdapter _log;
    private IStartOperation<ChildRecord>? _starting;
    private StopSequence<ChildRecord>? _stopping;
    private long _nextDynamicId;
    /// <summary>A dynamic supervisor's one spec, policies and factory, made from its template and shared by its children.</summary>
    private ChildShape? _dynamicShape;
    private TreeStopReason _stopReason = TreeStopReason.Killed;
    private Exception? _stopError;

    public SupervisorActor(SupervisionSpec spec, TreeRuntime runtime, string path, RootLink? root, SupervisorProducer producer)
    {
        _producer = producer;
        _handover = producer.Handover;
        _spec = spec;
        _runtime = runtime;
        _events = runtime.System.EventStream;
        _epoch = runtime.NextEpoch();
        _path = path;
        _root = root;
        _window = new RestartWindow(spec.Intensity, spec.Period);
        _book = new ChildBook(HandleUndecided, runtime.RealTime ? null : runtime.Settle.PutOff);
        var (strategy, autoShutdown) = spec is SupervisorSpec s ? (s.Strategy, s.AutoShutdown) : (Strategy.OneForOne, AutoShutdown.Never);
        _core = new(strategy, autoShutdown, spec is DynamicSupervisorSpec, _window, _children, this);
        if (spec is DynamicSupervisorSpec { Template: { } template })
        {
            _dynamicShape = ChildShape.Of(template, spec.DefaultPolicies);
        }
        var self = Self;
        _strategy = new FailureHook(OnChildFailure, child => self.Tell(new ChildGone(child), self));
        _log = Context.GetLogger();
    }

    private bool IsDynamic => _spec is DynamicSupervisorSpec;


    /// <summary>Stopping its children because its parent restarts it as part of a group: Restarting, not Down.</summary>
    private bool _stoppingForRestart;

    /// <summary>Asked to stop while stopping its children for a group restart: it stops once they are gone.</summary>
    private bool _shutdownWhenStopped;

    /// <summary>When this incarnation started, on the tree's epoch counter: a stop-for-restart request sent before is stale.</summary>
    private readonly long _epoch;

    private bool Busy => _starting is not null || _stopping is not null;

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void PreStart()
    {
        foreach (var (id, message) in _handover.TakeCrashed())
        {
            _events.Publish(new MessageDropped(_path, _runtime.Now, id, message, RestartedWhy));
        }

        if (_spec is SupervisorSpec s)
        {
            _children.Capacity = s.Children.Count;
            _byRef.EnsureCapacity(s.Children.Count);
            foreach (var childSpec in s.Children)
            {
                _children.Add(Adopt(new ChildRecord(childSpec, PolicySet.For(childSpec.Policies, s.DefaultPolicies), _book)));
            }
        }

        ReleaseUnadoptedAddresses();
        var sequence = new StartSequence<ChildRecord>(this, _children.ToList(), OnInitDone, OnInitFailed);
        _starting = sequence;
        sequence.Next();
        RefreshHealth();
    }

    protected override void PreRestart(Exception reason, object message)
    {
        _stillTimer?.Cancel();
        // The children are already stopped in order when this supervisor gives up; anything left
        // (an unexpected failure of the supervisor itself) is stopped by Akka.
        DisposeTimers();
        LeaveTreeCounts();
        DropUndecided(RestartedWhy, restarting: true);
        _ended = true;
        EndCrashSpans();
        ParkAddresses();
        FailPendingCalls("it is restarting");
        AbandonUpgrade("it is restarting");
        ReleaseAbandoned();
        StopChildrenAndLookAgain();
    }

    protected override void PostStop()
    {
        _runtime.Settle.Departed(Self);
        DisposeTimers();
        _stillTimer?.Cancel();
        LeaveTreeCounts();
        DropUndecided("the child crashed on it as its supervisor stopped", restarting: false);
        foreach (var (id, message) in _handover.TakeCrashed())
        {
            // What its children crashed on after its last look: it was stopped at once, or while it waited for its old
            // children in a restart.
            _events.Publish(new MessageDropped(_path, _runtime.Now, id, message, _endedWhy));
        }

        EndCrashSpans();
        // The addresses below a nested static supervisor are its parent's to decide on (it may start this one
        // again, or mark it down, or remove it); a dynamic supervisor's children and a stopped tree's are gone.
        if (_root is not null)
        {
            ReleaseAddresses(_path + "/", "the tree stopped");
        }
        else if (IsDynamic)
        {
            ReleaseAddresses(_path + "/", "its supervisor stopped");
        }

        FailPendingCalls("it has stopped");
        AbandonUpgrade("it has stopped");
        ReleaseAbandoned();
        ReportTreeStopped();
        _root?.Terminated.TrySetResult();
    }

    /// <summary>Akka stops an actor only once its children are gone: abandoned ones are gone now.</summary>
    private void ReleaseAbandoned()
    {
        foreach (var _ in _abandoned)
        {
            _runtime.Counts.AbandonedGone();
        }

        _abandoned.Clear();
    }

    /// <summary>
    /// Ends this supervisor once its children are stopped or abandoned. The parent (or the tree) is told
    /// now: Akka finishes stopping an actor only when all its children are gone, and a child blocked in a
    /// handler past its shutdown timeout must not hold the tree up.
    /// </summary>
    private void StopSelf(ExitReason reason)
    {
        if (_root is null)
        {
            Context.Parent.Tell(new ChildExiting(reason), Self);
        }

        ReportTreeStopped();
        Depart();
    }

    /// <summary>
    /// Its stop is done: Akka finishes it once its children are gone (an abandoned one may take long). Until
    /// then it handles no message: it leaves the tree's counts, and a settling tree does not wait for it.
    /// </summary>
    private void Depart()
    {
        LeaveTreeCounts();
        _runtime.Settle.Departing(Self);
        Context.Stop(Self);
    }

    /// <remarks>
    /// In the root, an exception (a bug in Supervise, or a simulated one) stops the tree in order instead
    /// of escaping to Akka's guardian, which would restart the whole tree. A nested supervisor's exception
    /// escapes to its parent, which handles it like any crash.
    /// </remarks>
    protected override void OnReceive(object message)
    {
        if (message is ProgressQuery)
        {
            AnswerProgress(); // a look, not a step: no health pass, not counted as handled
            return;
        }

        _handled++;
        if (_stillRounds >= 0)
        {
            WhileStoppingNow(message);
            return;
        }

        try
        {
            Dispatch(message);
            RefreshHealth();
        }
        catch (Exception e) when (_root is not null)
        {
            OnRootFailure(e);
        }
    }

    private void Dispatch(object message)
    {
        switch (message)
        {
            case ActorIdentity identity:
                OnIdentity(identity);
                break;
            case HandshakesAnswered:
                _handshakes?.Drain(OnHandshakeAnswer);
                break;
            case ChildSupervisorReady:
                OnChildSupervisorReady(Sender);
                break;
            case ChildrenStopped stoppedChildren:
                if (_byRef.TryGetValue(Sender, out var stopped))
                {
                    stopped.ConfirmLater = stoppedChildren.Abandoned;
                    _group?.OnGone(stopped);
                }

                break;
            case ChildGone gone:
                OnTerminated(gone.Child);
                break;
            case UpgradeTimerDue due:
                OnUpgradeTimer(due);
                break;
            case TerminateChildResult or RestartChildResult or StartChildResult or DeleteChildResult or UpgradeResult or Status.Failure:
                OnUpgradeAnswer(message, Sender); // the answer to a call an upgrade under way made
                break;
            case UpgradeCall call:
                OnUpgradeCall(call);
                break;
            case NestedSpecChanged changed:
                OnNestedSpecChanged(changed, Sender);
                break;
            case ChildHealthReport report:
                OnChildHealthReport(Sender, report.Health);
                break;
            case HealthRequest:
                Sender.Tell(Snapshot());
                break;
            case ChildAddressRequest request:
                OnChildAddressRequest(request.Id, Sender);
                break;
            case QuarantineRequest:
                Sender.Tell(_quarantine.ToList());
                break;
            case IChaosRequest chaos:
                OnChaosRequest(chaos, Sender);
                break;
            case PolicyTimerDue when _core.Phase == SupervisorPhase.Stopping:
                break;
            case ChildExiting exiting:
                OnChildExiting(Sender, exiting.Reason);
                break;
            case StopTimedOut timedOut:
                OnStopTimedOut(timedOut.Child);
                break;
            case StopAtOnce:
                StopNow();
                break;
            case FailNow fail when ReferenceEquals(fail.Owner, this):
                throw fail.Error;
            case FailNow:
                break; // sent by an earlier instance of this supervisor: stale
            case CancelStart or ShutdownRequest when _core.Phase == SupervisorPhase.Starting && !_stoppingForRestart:
                // Asked to stop before its start is done (its start was cancelled, or its parent is stopping): the start is
                // abandoned, as OTP kills a supervisor whose start_link times out, and what has started stops, in reverse
                // order, by its shutdown specs. A nested supervisor does the same, so a child stuck in its start holds the
                // stop only as long as its own shutdown spec allows.
                _stopReason = TreeStopReason.Stopped;
                BeginStop(() => StopSelf(ExitReason.Shutdown));
                break;
            case CancelStart:
                _core.Submit(new PendingWork(new ShutdownRequest(), Sender), WorkKind.Shutdown); // it had started meanwhile: nobody holds it, so it stops
                break;
            case ShutdownRequest when _stoppingForRestart:
                // Stopped (or stopping) its children for a group restart, and now asked to stop: its children are gone, or going.
                if (_stopping is null)
                {
                    StopSelf(ExitReason.Shutdown);
                }
                else
                {
                    _shutdownWhenStopped = true;
                }

                break;
            case ShutdownRequest:
                if (_root is not null)
                {
                    // The tree is asked to stop: injected hangs and delays must not hold its stop.
                    _runtime.Holds.LiftAll();
                }

                _core.Submit(new PendingWork(message, Sender), WorkKind.Shutdown);
                break;
            case StopChildrenForRestart request when request.Epoch < _epoch:
                break; // sent to an earlier incarnation, which its parent has restarted since: stale
            case StopChildrenForRestart:
                _core.Submit(new PendingWork(message, Sender), WorkKind.StopForRestart);
                break;
            case RetryRestart:
            case PolicyTimerDue:
                _core.Submit(new PendingWork(message, Sender), WorkKind.Timer);
                break;
            case var call when IsCall(call):
                _core.Submit(new PendingWork(message, Sender), WorkKind.Call);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>A runtime call: answered in its turn, after the crashes and exits waiting before it.</summary>
    private static bool IsCall(object message) =>
        message is WhichChildrenRequest or CountChildrenRequest or GetChildSpecRequest or PlanUpgradeRequest or UpgradeRequest or StartChildRequest
            or StartDynamicChildRequest or StartDynamicChildrenRequest or TerminateChildRequest or RestartChildRequest or DeleteChildRequest;

    /// <summary>Carries out shell work whose turn came (the core decides crashes and exits in line itself).</summary>
    void ISupervisorEffects<ChildRecord, PendingFailure>.Process(object work)
    {
        switch (work)
        {
            case PendingWork { Message: ShutdownRequest }:
                _stopReason = TreeStopReason.Stopped;
                BeginStop(() => StopSelf(ExitReason.Shutdown));
                break;
            case PendingWork { Message: StopChildrenForRestart }:
                // Its parent restarts it as part of a group: its children stop in reverse order by their shutdown
                // specs, their addresses wait for the next instance, and it waits for its restart in place.
                _stoppingForRestart = true;
                ParkAddresses();
                BeginStop(() =>
                {
                    if (_shutdownWhenStopped)
                    {
                        StopSelf(ExitReason.Shutdown);
                    }
                    else
                    {
                        Context.Parent.Tell(new ChildrenStopped(_abandoned.Count > 0), Self);
                    }
                });
                break;
            case PendingWork { Message: RetryRestart retry }:
                if (_core.IsCurrent(retry.Record, retry.Generation))
                {
                    _core.Decide(retry.Record, ExitReason.Crash(retry.Cause), alive: false);
                }

                break;
            case DeferredRecreate deferred when _core.IsCurrent(deferred.Record, deferred.Generation):
                if (Recreate(deferred.Record, deferred.TriggeredBy))
                {
                    PublishRestarted(deferred.Record, deferred.TriggeredBy);
                }

                break;
            case PendingWork { Message: PolicyTimerDue due }:
                OnPolicyTimer(due);
                break;
            case PendingWork call:
                HandleCall(call.Message, call.Sender);
                break;
        }
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.Refuse(object work) =>
        ((PendingWork)work).Sender.Tell(new Status.Failure(new SupervisorUnavailableException(_path, "it is shutting down")));

    bool ISupervisorEffects<ChildRecord, PendingFailure>.InSequence => Busy;

    TimeSpan ISupervisorEffects<ChildRecord, PendingFailure>.Elapsed => _runtime.Elapsed;

    private void OnInitDone()
    {
        _events.Publish(new SupervisorStarted(_path, _runtime.Now, _children.Count));
        if (_root is not null)
        {
            _root.Started.TrySetResult(Self);
        }
        else
        {
            Context.Parent.Tell(new ChildSupervisorReady(), Self);
        }

        _core.Started();
    }

    private void OnInitFailed(ChildRecord record, Exception cause)
    {
        var error = new ChildStartException(_path, record.Id, cause);
        _log.Error(error, "Supervisor {0} could not start child {1}", _path, record.Id);
        _stopReason = TreeStopReason.StartFailed;
        _stopError = error;
        BeginStop(() =>
        {
            if (_root is not null)
            {
                _root.Started.TrySetException(error);
                StopSelf(ExitReason.Failure(error.Message));
            }
            else
            {
                Self.Tell(new FailNow(error, this));
            }
        });
    }

    private void FailPendingCalls(string why)
    {
        foreach (var work in _core.TakeWaiting(w => w is PendingWork { Message: not ShutdownRequest and not RetryRestart and not PolicyTimerDue and not StopChildrenForRestart }))
        {
            ((PendingWork)work).Sender.Tell(new Status.Failure(new SupervisorUnavailableException(_path, why)));
        }

        foreach (var waiting in _waitingForNames.OfType<PendingWork>())
        {
            waiting.Sender.Tell(new Status.Failure(new SupervisorUnavailableException(_path, why)));
        }

        _waitingForNames.Clear();
    }

    private void DisposeTimers()
    {
        foreach (var record in _children)
        {
            record.StopTimer?.Dispose();
            record.StopTimer = null;
            record.PolicyTimer?.Dispose();
            record.PolicyTimer = null;
        }
    }

    internal void EndStartOperation(object operation)
    {
        if (ReferenceEquals(_starting, operation))
        {
            _starting = null;
        }
    }

    void IStartEffects<ChildRecord>.StartOperationEnded(object operation) => EndStartOperation(operation);

    void IStartEffects<ChildRecord>.Spawn(ChildRecord child) => Spawn(child, handshake: true);

    void IStartEffects<ChildRecord>.MarkStarted(ChildRecord child) => MarkStarted(child);

    void IStartEffects<ChildRecord>.AbandonFailedStart(ChildRecord child, Exception cause) => AbandonFailedStart(child, cause);

    void IStopEffects<ChildRecord>.StopSequenceEnded(object sequence)
    {
        if (ReferenceEquals(_stopping, sequence))
        {
            _stopping = null;
        }
    }

    private string ChildPath(ChildRecord record) => _path + "/" + record.Id;

    private sealed record PendingWork(object Message, IActorRef Sender);
}

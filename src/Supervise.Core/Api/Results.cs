using Akka.Actor;

namespace Supervise;

/// <summary>The answer to <c>StartChildAsync</c>: one case per OTP outcome.</summary>
public abstract record StartChildResult
{
    private StartChildResult()
    {
    }

    /// <summary>The child started (OTP <c>{ok, Pid}</c>).</summary>
    public sealed record Started(string Id, IActorRef Child) : StartChildResult;

    /// <summary>A spec with this id exists but its child is not running (OTP <c>already_present</c>).</summary>
    public sealed record AlreadyPresent(string Id) : StartChildResult;

    /// <summary>A child with this id is running (OTP <c>{already_started, Pid}</c>).</summary>
    public sealed record AlreadyStarted(string Id, IActorRef Child) : StartChildResult;

    /// <summary>The child could not start; its spec was not kept.</summary>
    public sealed record Failed(string Id, Exception Cause) : StartChildResult;

    /// <summary>The spec was invalid; nothing was started.</summary>
    public sealed record InvalidSpec(IReadOnlyList<SpecProblem> Problems) : StartChildResult;

    /// <summary>A dynamic supervisor already runs its maximum number of children.</summary>
    public sealed record MaxChildrenReached(int MaxChildren) : StartChildResult;

    /// <summary>The call does not apply to this kind of supervisor.</summary>
    public sealed record NotSupported(string Why) : StartChildResult;
}

/// <summary>The answer to <c>TerminateChildAsync</c>.</summary>
public abstract record TerminateChildResult
{
    private TerminateChildResult()
    {
    }

    /// <summary>The child is stopped (a Temporary or dynamic child's spec is also deleted).</summary>
    public sealed record Terminated(string Id) : TerminateChildResult;

    /// <summary>No child with this id or reference (OTP <c>not_found</c>).</summary>
    public sealed record NotFound(string Id) : TerminateChildResult;
}

/// <summary>The answer to <c>RestartChildAsync</c>.</summary>
public abstract record RestartChildResult
{
    private RestartChildResult()
    {
    }

    /// <summary>The stopped child was started again.</summary>
    public sealed record Restarted(string Id, IActorRef Child) : RestartChildResult;

    /// <summary>The child is running (OTP <c>running</c>).</summary>
    public sealed record Running(string Id) : RestartChildResult;

    /// <summary>The child is being restarted by its supervisor (OTP <c>restarting</c>).</summary>
    public sealed record Restarting(string Id) : RestartChildResult;

    /// <summary>No spec with this id (OTP <c>not_found</c>).</summary>
    public sealed record NotFound(string Id) : RestartChildResult;

    /// <summary>The child could not start; its spec is kept.</summary>
    public sealed record Failed(string Id, Exception Cause) : RestartChildResult;

    /// <summary>The call does not apply to this kind of supervisor.</summary>
    public sealed record NotSupported(string Why) : RestartChildResult;
}

/// <summary>The answer to <c>DeleteChildAsync</c>.</summary>
public abstract record DeleteChildResult
{
    private DeleteChildResult()
    {
    }

    /// <summary>The spec was deleted.</summary>
    public sealed record Deleted(string Id) : DeleteChildResult;

    /// <summary>The child is running: terminate it first (OTP <c>running</c>).</summary>
    public sealed record Running(string Id) : DeleteChildResult;

    /// <summary>The child is being restarted (OTP <c>restarting</c>).</summary>
    public sealed record Restarting(string Id) : DeleteChildResult;

    /// <summary>No spec with this id (OTP <c>not_found</c>).</summary>
    public sealed record NotFound(string Id) : DeleteChildResult;

    /// <summary>The call does not apply to this kind of supervisor.</summary>
    public sealed record NotSupported(string Why) : DeleteChildResult;
}

/// <summary>The answer to <c>GetChildSpecAsync</c>.</summary>
public abstract record ChildSpecResult
{
    private ChildSpecResult()
    {
    }

    /// <summary>The spec with the id asked for.</summary>
    public sealed record Found(ChildSpec Spec) : ChildSpecResult;

    /// <summary>No spec with this id (OTP <c>not_found</c>).</summary>
    public sealed record NotFound(string Id) : ChildSpecResult;
}

/// <summary>One child as <c>WhichChildrenAsync</c> reports it (OTP <c>which_children</c>).</summary>
/// <param name="Id">The child's id.</param>
/// <param name="Child">Its current reference; <see langword="null"/> unless <see cref="Status"/> is Running.</param>
/// <param name="Status">Running, restarting or not running.</param>
/// <param name="Kind">Worker or supervisor.</param>
/// <param name="Restart">Its restart type.</param>
public sealed record ChildInfo(string Id, IActorRef? Child, ChildStatus Status, ChildKind Kind, RestartType Restart);

/// <summary>Whether a child is running.</summary>
public enum ChildStatus
{
    /// <summary>Running (OTP: a pid).</summary>
    Running,

    /// <summary>Waiting to be restarted (OTP <c>restarting</c>).</summary>
    Restarting,

    /// <summary>Its spec is kept but it is not running (OTP <c>undefined</c>).</summary>
    NotRunning,
}

/// <summary>Counts of a supervisor's children (OTP <c>count_children</c>).</summary>
/// <param name="Specs">All child specs, running or not.</param>
/// <param name="Active">Children running.</param>
/// <param name="Supervisors">Specs of kind Supervisor, running or not.</param>
/// <param name="Workers">Specs of kind Worker, running or not.</param>
public sealed record ChildCounts(int Specs, int Active, int Supervisors, int Workers);

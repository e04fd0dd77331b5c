namespace Supervise.Supervision;

/// <summary>A runtime call about one child (OTP's <c>start_child</c>, <c>restart_child</c>, <c>delete_child</c>, <c>terminate_child</c>).</summary>
internal enum ChildCall
{
    /// <summary>Start a new child from a spec (a static supervisor's <c>start_child</c>).</summary>
    Start,

    /// <summary>Start a stopped child again from its kept spec.</summary>
    Restart,

    /// <summary>Forget a stopped child's spec.</summary>
    Delete,

    /// <summary>Stop a child by its shutdown spec, found by its id.</summary>
    TerminateById,

    /// <summary>Stop a child by its shutdown spec, found by its reference.</summary>
    TerminateByRef,
}

/// <summary>What a runtime call answers before anything is done, or that it goes ahead.</summary>
internal enum CallAnswer
{
    /// <summary>The call goes ahead.</summary>
    Proceed,

    /// <summary>No such child (OTP <c>not_found</c>).</summary>
    NotFound,

    /// <summary>Not a call this kind of supervisor takes (a dynamic supervisor keeps no specs; a static one starts from specs only).</summary>
    NotSupported,

    /// <summary>A child with that id runs (OTP <c>already_started</c>, with its pid).</summary>
    AlreadyStarted,

    /// <summary>A child with that id is kept but has no running incarnation (OTP <c>already_present</c>).</summary>
    AlreadyPresent,

    /// <summary>It runs (OTP <c>running</c>).</summary>
    Running,

    /// <summary>Its supervisor is restarting it (OTP <c>restarting</c>).</summary>
    Restarting,

    /// <summary>Its name is still held by an incarnation on its way out: the call waits until it is free, then goes ahead.</summary>
    WaitForName,
}

/// <summary>
/// OTP's answers to runtime calls (<c>handle_call</c> in <c>supervisor.erl</c>), decided from a child's lifecycle alone. Pure:
/// the shell looks the child up, asks here, and carries the answer out or sends it back.
/// </summary>
internal static class ChildCalls
{
    /// <summary>
    /// What <paramref name="call"/> answers. <paramref name="found"/> is the lifecycle of the child it names, or null when no
    /// child has that id (or, by reference, that incarnation); <paramref name="nameHeld"/> whether an incarnation on its way
    /// out still holds the name.
    /// </summary>
    public static CallAnswer Answer(ChildCall call, bool dynamic, ChildLifecycle? found, bool nameHeld) => call switch
    {
        // A dynamic supervisor makes children from its template, and keeps no spec once a child is gone.
        ChildCall.Start or ChildCall.Restart or ChildCall.Delete when dynamic => CallAnswer.NotSupported,
        ChildCall.Start => found is { } state ? (StatusOf(state) == ChildStatus.Running ? CallAnswer.AlreadyStarted : CallAnswer.AlreadyPresent)
            : nameHeld ? CallAnswer.WaitForName
            : CallAnswer.Proceed,
        ChildCall.Restart => found is not { } state ? CallAnswer.NotFound
            : StoppedOr(state) is { } busy ? busy
            : nameHeld ? CallAnswer.WaitForName
            : CallAnswer.Proceed,
        ChildCall.Delete => found is not { } state ? CallAnswer.NotFound : StoppedOr(state) ?? CallAnswer.Proceed,
        // OTP finds a static supervisor's children by id only: a reference names nothing there (simple_one_for_one takes either).
        ChildCall.TerminateByRef when !dynamic => CallAnswer.NotFound,
        _ => found is null ? CallAnswer.NotFound : CallAnswer.Proceed,
    };

    /// <summary>OTP's status in <c>which_children</c>: a pid, <c>restarting</c>, or <c>undefined</c>.</summary>
    public static ChildStatus StatusOf(ChildLifecycle state) =>
        ChildLifecycleRule.IsRestarting(state) ? ChildStatus.Restarting
        : ChildLifecycleRule.HasIncarnation(state) ? ChildStatus.Running
        : ChildStatus.NotRunning;

    /// <summary>Whether <c>count_children</c> counts it active: it has a pid that is not <c>restarting</c>.</summary>
    public static bool IsActive(ChildLifecycle state) => StatusOf(state) == ChildStatus.Running;

    /// <summary>Whether a terminated child is forgotten: OTP keeps a stopped child's spec, except a temporary one's or a dynamic supervisor's child's.</summary>
    public static bool ForgottenWhenTerminated(RestartType restart, bool dynamic) => dynamic || restart == RestartType.Temporary;

    /// <summary>How many of <paramref name="asked"/> new dynamic children fit under <paramref name="max"/> next to <paramref name="count"/>.</summary>
    public static int Room(int? max, int count, int asked) => max is { } limit ? Math.Clamp(limit - count, 0, asked) : asked;

    /// <summary>A call that needs a stopped child answers why it cannot go ahead, or null when the child is stopped.</summary>
    private static CallAnswer? StoppedOr(ChildLifecycle state) => StatusOf(state) switch
    {
        ChildStatus.Restarting => CallAnswer.Restarting,
        ChildStatus.Running => CallAnswer.Running,
        _ => null,
    };
}

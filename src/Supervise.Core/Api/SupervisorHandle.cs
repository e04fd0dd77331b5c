using Akka.Actor;
using Supervise.Runtime;

namespace Supervise;

/// <summary>
/// Calls on one running supervisor (OTP's supervisor API). Every call is asynchronous and answers with a
/// typed result; a call to a supervisor that is shutting down fails with <see cref="SupervisorUnavailableException"/>.
/// </summary>
public sealed class SupervisorHandle
{
    private readonly TimeSpan _timeout;

    internal SupervisorHandle(IActorRef actor, string path, TimeSpan timeout)
    {
        Actor = actor;
        Path = path;
        _timeout = timeout;
    }

    /// <summary>The supervisor's actor.</summary>
    public IActorRef Actor { get; }

    /// <summary>The supervisor's place in the tree, for example <c>app/db</c>.</summary>
    public string Path { get; }

    /// <summary>Every child in start order, with its reference when running (OTP <c>which_children</c>).</summary>
    public async Task<IReadOnlyList<ChildInfo>> WhichChildrenAsync(CancellationToken cancellationToken = default) =>
        await CallAsync<List<ChildInfo>>(new WhichChildrenRequest(), cancellationToken).ConfigureAwait(false);

    /// <summary>Counts of children (OTP <c>count_children</c>).</summary>
    public Task<ChildCounts> CountChildrenAsync(CancellationToken cancellationToken = default) =>
        CallAsync<ChildCounts>(new CountChildrenRequest(), cancellationToken);

    /// <summary>The spec of the child <paramref name="id"/> (OTP <c>get_childspec</c>).</summary>
    public Task<ChildSpecResult> GetChildSpecAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync<ChildSpecResult>(new GetChildSpecRequest(id), cancellationToken);

    /// <summary>
    /// What an upgrade of this supervisor to <paramref name="next"/> would do, computed from the children it runs now and
    /// shown before anything changes (a dry run): see <see cref="UpgradePlan"/>. A refused upgrade's plan lists why.
    /// </summary>
    public Task<UpgradePlan> PlanUpgradeAsync(SupervisionSpec next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        return CallAsync<UpgradePlan>(new PlanUpgradeRequest(next), cancellationToken);
    }

    /// <summary>Adds a child to a static supervisor and starts it, after the others (OTP <c>start_child</c>).</summary>
    public Task<StartChildResult> StartChildAsync(ChildSpec spec, CancellationToken cancellationToken = default) =>
        CallAsync<StartChildResult>(new StartChildRequest(spec), cancellationToken);

    /// <summary>Starts a dynamic supervisor's child from its template with <paramref name="args"/>.</summary>
    public Task<StartChildResult> StartChildAsync(object? args, CancellationToken cancellationToken = default) =>
        CallAsync<StartChildResult>(new StartDynamicChildRequest(args), cancellationToken);

    /// <summary>
    /// Starts many of a dynamic supervisor's children at once, one per element of <paramref name="args"/>,
    /// and answers one result per element, in order, when every one has started or failed. Unlike repeated
    /// <see cref="StartChildAsync(object?, CancellationToken)"/> calls, the children start concurrently.
    /// Those beyond <see cref="DynamicSupervisorSpec.MaxChildren"/> get <see cref="StartChildResult.MaxChildrenReached"/>.
    /// </summary>
    public async Task<IReadOnlyList<StartChildResult>> StartChildrenAsync(IEnumerable<object?> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        return await CallAsync<List<StartChildResult>>(new StartDynamicChildrenRequest(args.ToList()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the child <paramref name="id"/> by its shutdown spec; its spec is kept unless Temporary (OTP <c>terminate_child</c>).</summary>
    public Task<TerminateChildResult> TerminateChildAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync<TerminateChildResult>(new TerminateChildRequest(id, null), cancellationToken);

    /// <summary>
    /// Stops a dynamic supervisor's child whose reference is <paramref name="child"/> (OTP <c>terminate_child</c> with a pid,
    /// for <c>simple_one_for_one</c>). A static supervisor's children are terminated by id: there, as in OTP, a reference
    /// answers <see cref="TerminateChildResult.NotFound"/>.
    /// </summary>
    public Task<TerminateChildResult> TerminateChildAsync(IActorRef child, CancellationToken cancellationToken = default) =>
        CallAsync<TerminateChildResult>(new TerminateChildRequest(null, child), cancellationToken);

    /// <summary>Starts again a child whose spec is kept but which is not running (OTP <c>restart_child</c>).</summary>
    public Task<RestartChildResult> RestartChildAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync<RestartChildResult>(new RestartChildRequest(id), cancellationToken);

    /// <summary>Deletes the spec of a child that is not running (OTP <c>delete_child</c>).</summary>
    public Task<DeleteChildResult> DeleteChildAsync(string id, CancellationToken cancellationToken = default) =>
        CallAsync<DeleteChildResult>(new DeleteChildRequest(id), cancellationToken);

    /// <summary>This supervisor's health and its children's (see <see cref="HealthRule"/>).</summary>
    public Task<HealthSnapshot> GetHealthAsync(CancellationToken cancellationToken = default) =>
        CallAsync<HealthSnapshot>(new HealthRequest(), cancellationToken);

    /// <summary>
    /// This supervisor's health with, for each running nested Supervise supervisor, its own snapshot in
    /// <see cref="ChildHealth.Subtree"/>, all the way down. A nested supervisor that is restarting or
    /// stopping at that moment has no subtree; its state says why.
    /// </summary>
    public async Task<HealthSnapshot> GetSubtreeHealthAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await GetHealthAsync(cancellationToken).ConfigureAwait(false);
        var children = new List<ChildHealth>(snapshot.Children.Count);
        foreach (var child in snapshot.Children)
        {
            children.Add(child.Kind == ChildKind.Supervisor && child.State != HealthState.Down
                ? child with { Subtree = await TryNestedHealthAsync(child.Id, cancellationToken).ConfigureAwait(false) }
                : child);
        }

        return snapshot with { Children = children };
    }

    private async Task<HealthSnapshot?> TryNestedHealthAsync(string childId, CancellationToken cancellationToken)
    {
        try
        {
            var nested = await GetSupervisorAsync(childId, cancellationToken).ConfigureAwait(false);
            return await nested.GetSubtreeHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or SupervisorUnavailableException)
        {
            return null; // restarting or stopping right now
        }
    }

    /// <summary>
    /// The stable address of the child <paramref name="childId"/>: it reaches whichever incarnation is
    /// running, and applies the child's degradation policies while none is (see <see cref="ChildAddress"/>).
    /// Asking again returns the same address.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The supervisor has no child with that id; the message lists the ids it has.</exception>
    public Task<ChildAddress> GetChildAsync(string childId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(childId);
        return CallAsync<ChildAddress>(new ChildAddressRequest(childId), cancellationToken);
    }

    /// <summary>The messages its children's <see cref="QuarantinePolicy"/> set aside, oldest first.</summary>
    public async Task<IReadOnlyList<QuarantinedMessage>> GetQuarantinedAsync(CancellationToken cancellationToken = default) =>
        await CallAsync<List<QuarantinedMessage>>(new QuarantineRequest(), cancellationToken).ConfigureAwait(false);

    /// <summary>A handle on the running nested Supervise supervisor <paramref name="childId"/>.</summary>
    /// <exception cref="InvalidOperationException">No running child of kind Supervisor has that id.</exception>
    public async Task<SupervisorHandle> GetSupervisorAsync(string childId, CancellationToken cancellationToken = default)
    {
        var children = await WhichChildrenAsync(cancellationToken).ConfigureAwait(false);
        var child = children.FirstOrDefault(c => string.Equals(c.Id, childId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Supervisor '{Path}' has no child '{Show.Cut(childId)}'; its children are: {string.Join(", ", children.Take(20).Select(c => Show.Cut(c.Id)))}{(children.Count > 20 ? ", ..." : "")}.");
        if (child.Kind != ChildKind.Supervisor || child.Child is null)
        {
            throw new InvalidOperationException($"Child '{Path}/{Show.Cut(childId)}' is not a running supervisor (kind {child.Kind}, {child.Status}).");
        }

        return new SupervisorHandle(child.Child, Path + "/" + childId, _timeout);
    }

    /// <summary>
    /// Upgrades this running supervisor to <paramref name="next"/>, by the plan <see cref="PlanUpgradeAsync"/> shows: removed
    /// children stopped and deleted, changed settings applied in place, nested supervisors upgraded by plans of their own,
    /// children whose <see cref="ChildSpec.Version"/> changed replaced (the first <see cref="UpgradeOptions.CanaryCount"/> one at
    /// a time, each watched), added children started at their place, then the supervisor's own settings. A step that fails
    /// (a child that fails to start, crashes during its watch, or is not Running at its end) is rolled back by default.
    /// </summary>
    /// <param name="next">The spec to run from now on.</param>
    /// <param name="options">How the plan runs; the defaults when null.</param>
    /// <param name="cancellationToken">Stops waiting for the result (the upgrade goes on).</param>
    /// <returns>Completed, rolled back, stopped, or refused (with every problem named, and nothing changed).</returns>
    public async Task<UpgradeResult> UpgradeAsync(SupervisionSpec next, UpgradeOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (IsStopped)
        {
            throw new SupervisorUnavailableException(Path, "it has stopped");
        }

        // Not bounded by the call timeout: the watch windows and pauses take as long as the options say.
        return await Actor.Ask<UpgradeResult>(new UpgradeRequest(next, options ?? new UpgradeOptions()), timeout: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> CallAsync<T>(object request, CancellationToken cancellationToken)
    {
        if (IsStopped)
        {
            throw new SupervisorUnavailableException(Path, "it has stopped");
        }

        try
        {
            return await Actor.Ask<T>(request, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException) when (IsStopped)
        {
            throw new SupervisorUnavailableException(Path, "it has stopped");
        }
    }

    // A hint only, to fail fast: a supervisor that stops after this check still answers through the catch above.
#pragma warning disable CS0618 // IsTerminated is obsolete as a basis for decisions; here it only saves a timeout.
    private bool IsStopped => Actor is IInternalActorRef { IsTerminated: true };
#pragma warning restore CS0618
}

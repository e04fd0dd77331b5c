namespace Supervise.Supervision;

/// <summary>
/// A one-for-all or rest-for-one restart, in OTP's order (<c>restart_multiple_children</c>): the children of the blast radius
/// are stopped in reverse start order (a worker is held, its mailbox kept; a nested supervisor stops its own children by their
/// shutdown specs; a Temporary sibling is stopped by its shutdown spec and removed), then started again in start order, each
/// confirmed started before the next. Pure: <see cref="IGroupRestartEffects{TChild}"/> carries each step out, and the shell
/// reports who is gone, who answered and who failed.
/// </summary>
/// <remarks>
/// A child of the radius that crashed on its own while it was held or being restarted is covered by this restart, as OTP
/// flushes such an exit: it is not counted again. A child that fails to start, or crashes once started, has its failure
/// handled after the group, counted (OTP's <c>try_again_restart</c>).
/// </remarks>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal sealed class GroupRestart<TChild> : IStartOperation<TChild>
    where TChild : class, IGroupMember
{
    private readonly IGroupRestartEffects<TChild> _effects;
    private readonly TChild _failed;
    private readonly Exception _cause;
    private readonly IReadOnlyList<TChild> _restart;
    private readonly HashSet<TChild> _remove;
    private readonly List<TChild> _stopOrder;

    /// <summary>The children of the radius not started again yet: Restarting, whatever their own state says.</summary>
    private readonly HashSet<TChild> _unconfirmed;

    /// <summary>What each held child's incarnation was when it was held (by its place in <see cref="_stopOrder"/>): a failure it reports later is covered if it came from that one. One array for the group, not an object per child.</summary>
    private readonly object?[] _held;
    private int _stopIndex;
    private int _startIndex = -1;
    private TChild? _stopping;
    private TChild? _starting;

    /// <summary>A restart triggered by <paramref name="failed"/> (for <paramref name="cause"/>): <paramref name="restart"/> started again, <paramref name="remove"/> stopped and removed, both taken in <paramref name="children"/>' order.</summary>
    public GroupRestart(IGroupRestartEffects<TChild> effects, TChild failed, Exception cause, IReadOnlyList<TChild> restart, IReadOnlyList<TChild> remove, IReadOnlyList<TChild> children)
    {
        _effects = effects;
        _failed = failed;
        _cause = cause;
        _restart = restart;
        _remove = [.. remove];
        _unconfirmed = [.. restart];
        _stopOrder = children.Where(c => _unconfirmed.Contains(c) || _remove.Contains(c)).Reverse().ToList();
        _held = new object?[_stopOrder.Count];
    }

    /// <summary>The child that failed (the restarts are triggered by it).</summary>
    public TChild Failed => _failed;

    /// <summary>Stops the first child of the radius (in reverse start order), or goes on to the starts when none needs stopping.</summary>
    public void Begin() => StopNext();

    /// <summary>Whether <paramref name="child"/> is one of the children this restart has not started again yet.</summary>
    public bool Restarts(TChild child) => _unconfirmed.Contains(child);

    /// <summary>Whether <paramref name="child"/> is the nested supervisor asked to stop its children now.</summary>
    public bool StopsNow(TChild child) => child == _stopping;

    /// <inheritdoc/>
    public bool Awaits(TChild child) => child == _starting;

    /// <summary>The child being stopped is gone (a Temporary sibling), or has stopped its children (a nested supervisor), or crashed meanwhile.</summary>
    public void OnGone(TChild child, bool crashed = false)
    {
        if (child != _stopping)
        {
            return;
        }

        _stopping = null;
        if (_remove.Contains(child))
        {
            _effects.Remove(child);
        }
        else if (ChildLifecycleRule.HasIncarnation(child.Lifecycle) && !crashed)
        {
            Hold(child, _stopIndex - 1);
        }

        StopNext();
    }

    /// <inheritdoc/>
    public void OnReady(TChild child)
    {
        if (child != _starting)
        {
            return;
        }

        _starting = null;
        _unconfirmed.Remove(child);
        _effects.ConfirmRestarted(child);
        StartNext();
    }

    /// <summary>The child being started failed: a start failure or a crash once started, handled after the group (counted); or its held incarnation's failure, covered.</summary>
    public void Fail(TChild child, Exception cause)
    {
        if (child != _starting)
        {
            return;
        }

        if (!child.IsSupervisor && HeldBy(child) is { } held && _effects.IsFailureOf(child, held, cause))
        {
            _effects.CoveredCrash(child, cause);
            return;
        }

        _starting = null;
        _unconfirmed.Remove(child);
        _effects.FailAfterGroup(child, cause);
        StartNext();
    }

    /// <summary>The supervisor stops everything (it gives up, or is asked to stop): what this restart still held is left to that stop.</summary>
    public void Abort() => _unconfirmed.Clear();

    private void Hold(TChild child, int index) => _held[index] = _effects.Hold(child);

    /// <summary>The incarnation <paramref name="child"/> had when this group held it; null if it did not hold it. Looked up only when a failure comes.</summary>
    private object? HeldBy(TChild child)
    {
        var index = _stopOrder.IndexOf(child);
        return index < 0 ? null : _held[index];
    }

    private void StopNext()
    {
        while (_stopIndex < _stopOrder.Count)
        {
            var child = _stopOrder[_stopIndex++];
            if (child.Lifecycle == ChildLifecycle.Removed)
            {
                continue;
            }

            var alive = ChildLifecycleRule.HasIncarnation(child.Lifecycle);
            if (_remove.Contains(child))
            {
                if (!alive)
                {
                    _effects.Remove(child);
                    continue;
                }

                _stopping = child;
                _effects.RequestStop(child);
                return;
            }

            if (child == _failed || !alive || child.Lifecycle is ChildLifecycle.Crashed or ChildLifecycle.Held)
            {
                continue; // gone, or suspended by its own failure (its restart balances that), or held already
            }

            if (child.IsSupervisor)
            {
                _stopping = child;
                _effects.StopChildrenOf(child);
                return;
            }

            Hold(child, _stopIndex - 1);
        }

        StartNext();
    }

    private void StartNext()
    {
        while (++_startIndex < _restart.Count)
        {
            var child = _restart[_startIndex];
            if (child.Lifecycle != ChildLifecycle.Removed && _effects.RestartInGroup(child, _failed, _cause))
            {
                _starting = child;
                return;
            }

            _unconfirmed.Remove(child);
        }

        _effects.GroupRestartEnded(this);
    }
}

/// <summary>A child as a group restart sees it: its lifecycle, and whether it is a supervisor (which stops its own children).</summary>
internal interface IGroupMember : IHasLifecycle
{
    /// <summary>Whether it is a Supervise supervisor: asked to stop its children, not held.</summary>
    bool IsSupervisor { get; }
}

/// <summary>What a <see cref="GroupRestart{TChild}"/> tells its shell to do.</summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal interface IGroupRestartEffects<TChild>
{
    /// <summary>Suspend a worker, its mailbox kept, until it is restarted in place; returns what identifies the incarnation held.</summary>
    object? Hold(TChild child);

    /// <summary>Ask a nested supervisor to stop its children in reverse order, by their shutdown specs.</summary>
    void StopChildrenOf(TChild child);

    /// <summary>Stop a Temporary sibling by its shutdown spec (it is removed once gone).</summary>
    void RequestStop(TChild child);

    /// <summary>Forget a child: it is no longer one of the children.</summary>
    void Remove(TChild child);

    /// <summary>Start the child again (in place when it lives, for <paramref name="cause"/>); true when its start must be confirmed before the next.</summary>
    bool RestartInGroup(TChild child, TChild failed, Exception cause);

    /// <summary>The child answered: it runs again.</summary>
    void ConfirmRestarted(TChild child);

    /// <summary>Whether a failure of <paramref name="child"/> came from the incarnation this group held (<paramref name="held"/>), not a newer one.</summary>
    bool IsFailureOf(TChild child, object held, Exception cause);

    /// <summary>A failure this restart covers: reported, not counted, its message in flight handled.</summary>
    void CoveredCrash(TChild child, Exception cause);

    /// <summary>A failure to handle after the group, counted.</summary>
    void FailAfterGroup(TChild child, Exception cause);

    /// <summary>The restart is over: every child of the radius was started again, or failed.</summary>
    void GroupRestartEnded(object group);
}

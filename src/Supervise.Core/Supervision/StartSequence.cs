namespace Supervise.Supervision;

/// <summary>
/// OTP's start order (<c>start_children</c>): children are started one at a time in order, each confirmed started (its
/// handshake answered) before the next; on the first failure it stops and reports that child and the cause. Pure:
/// <see cref="IStartEffects{TChild}"/> makes each child, and the shell reports its answer or its failure.
/// </summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal sealed class StartSequence<TChild> : IStartOperation<TChild>
    where TChild : class, IHasLifecycle
{
    private readonly IStartEffects<TChild> _effects;
    private readonly IReadOnlyList<TChild> _children;
    private readonly Action _onDone;
    private readonly Action<TChild, Exception> _onFailed;
    private int _index;

    /// <summary>A start of <paramref name="children"/> in this order.</summary>
    public StartSequence(IStartEffects<TChild> effects, IReadOnlyList<TChild> children, Action onDone, Action<TChild, Exception> onFailed)
    {
        _effects = effects;
        _children = children;
        _onDone = onDone;
        _onFailed = onFailed;
    }

    /// <summary>The child being started, or null once all have been.</summary>
    public TChild? Current => _index < _children.Count ? _children[_index] : null;

    /// <inheritdoc/>
    public bool Awaits(TChild child) => child == Current && child.Lifecycle == ChildLifecycle.Starting;

    /// <summary>Starts the next child, or ends the sequence when none is left. A child that cannot be made fails the start.</summary>
    public void Next()
    {
        if (_index >= _children.Count)
        {
            _effects.StartOperationEnded(this);
            _onDone();
            return;
        }

        var child = _children[_index];
        try
        {
            _effects.Spawn(child);
        }
        catch (Exception e) when (e is not LifecycleViolationException)
        {
            Fail(child, e);
        }
    }

    /// <inheritdoc/>
    public void OnReady(TChild child)
    {
        if (child != Current)
        {
            return;
        }

        _effects.MarkStarted(child);
        _index++;
        Next();
    }

    /// <inheritdoc/>
    public void Fail(TChild child, Exception cause)
    {
        if (child != Current)
        {
            return;
        }

        _effects.AbandonFailedStart(child, cause);
        _effects.StartOperationEnded(this);
        _onFailed(child, cause);
    }
}

/// <summary>Starting children and waiting for their handshakes: in order, a batch at once, or a group restart's starts.</summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal interface IStartOperation<in TChild>
{
    /// <summary>Whether this operation waits for <paramref name="child"/>'s handshake.</summary>
    bool Awaits(TChild child);

    /// <summary>The child answered its handshake: it has started.</summary>
    void OnReady(TChild child);

    /// <summary>The child failed to start.</summary>
    void Fail(TChild child, Exception cause);
}

/// <summary>What a <see cref="StartSequence{TChild}"/> tells its shell to do.</summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal interface IStartEffects<in TChild>
{
    /// <summary>Make the child's incarnation and send its handshake (it moves to <see cref="ChildLifecycle.Starting"/>); throws if it cannot be made.</summary>
    void Spawn(TChild child);

    /// <summary>The child answered: it runs.</summary>
    void MarkStarted(TChild child);

    /// <summary>The child failed to start: whatever was made of it is stopped.</summary>
    void AbandonFailedStart(TChild child, Exception cause);

    /// <summary>The operation is over (just before its continuation runs).</summary>
    void StartOperationEnded(object operation);
}

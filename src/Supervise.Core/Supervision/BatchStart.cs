namespace Supervise.Supervision;

/// <summary>
/// A batch of a dynamic supervisor's children started at once (OTP's <c>start_child</c> for each, without waiting for one
/// before the next): every child is made, then every handshake awaited; a child that fails to start is reported on its own
/// and the others are unaffected. Pure: <see cref="IStartEffects{TChild}"/> makes each child, and the shell answers with the
/// failures once every child has answered or failed.
/// </summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal sealed class BatchStart<TChild> : IStartOperation<TChild>
    where TChild : class
{
    private readonly IStartEffects<TChild> _effects;
    private readonly HashSet<TChild> _waiting = [];
    private readonly Dictionary<TChild, Exception> _failed = [];
    private readonly IReadOnlyList<TChild> _children;
    private readonly Action<IReadOnlyDictionary<TChild, Exception>> _onDone;

    /// <summary>A start of <paramref name="children"/> at once; <paramref name="onDone"/> gets the ones that failed, with why.</summary>
    public BatchStart(IStartEffects<TChild> effects, IReadOnlyList<TChild> children, Action<IReadOnlyDictionary<TChild, Exception>> onDone)
    {
        _effects = effects;
        _children = children;
        _onDone = onDone;
    }

    /// <summary>Makes every child; a child that cannot be made fails on its own.</summary>
    public void Begin()
    {
        foreach (var child in _children)
        {
            try
            {
                _effects.Spawn(child);
                _waiting.Add(child);
            }
            catch (Exception e) when (e is not LifecycleViolationException)
            {
                _effects.AbandonFailedStart(child, e);
                _failed[child] = e;
            }
        }

        EndIfDone();
    }

    /// <inheritdoc/>
    public bool Awaits(TChild child) => _waiting.Contains(child);

    /// <inheritdoc/>
    public void OnReady(TChild child)
    {
        if (_waiting.Remove(child))
        {
            _effects.MarkStarted(child);
            EndIfDone();
        }
    }

    /// <inheritdoc/>
    public void Fail(TChild child, Exception cause)
    {
        if (_waiting.Remove(child))
        {
            _effects.AbandonFailedStart(child, cause);
            _failed[child] = cause;
            EndIfDone();
        }
    }

    private void EndIfDone()
    {
        if (_waiting.Count == 0)
        {
            _effects.StartOperationEnded(this);
            _onDone(_failed);
        }
    }
}

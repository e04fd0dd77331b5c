namespace Supervise.Supervision;

/// <summary>
/// OTP's shutdown order (<c>terminate_children</c>): children are stopped by their shutdown specs one at a time in the given
/// order (a static supervisor's reverse start order), each gone before the next is asked, or all at once (a dynamic
/// supervisor's); then its continuation runs, once. A child that is already gone, or leaves by itself before its turn,
/// is simply gone. Pure: <see cref="IStopEffects{TChild}"/> asks the children to stop, and the shell reports who is gone.
/// </summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal sealed class StopSequence<TChild>
    where TChild : class, IHasLifecycle
{
    private readonly IStopEffects<TChild> _effects;
    private readonly List<TChild> _order;
    private readonly HashSet<TChild> _remaining;
    private readonly bool _concurrent;
    private readonly Action _onDone;
    private int _next;
    private bool _done;

    /// <summary>A stop of <paramref name="children"/> (those with an actor) in this order, or all at once if <paramref name="concurrent"/>.</summary>
    public StopSequence(IStopEffects<TChild> effects, IEnumerable<TChild> children, bool concurrent, Action onDone)
    {
        _effects = effects;
        _order = children.Where(c => ChildLifecycleRule.HasIncarnation(c.Lifecycle)).ToList();
        _remaining = [.. _order]; // the shell's records hash cheaply by their own identity (see ChildRecord)
        _concurrent = concurrent;
        _onDone = onDone;
    }

    /// <summary>Whether it has run its continuation.</summary>
    public bool Done => _done;

    /// <summary>Asks the first child (or every child) to stop; with none to stop, it is done at once.</summary>
    public void Begin()
    {
        if (_concurrent)
        {
            _order.ForEach(_effects.RequestStop);
        }
        else
        {
            RequestNext();
        }

        CompleteIfDone();
    }

    /// <summary>A child of this sequence is gone (terminated, or abandoned after its shutdown timeout); others are ignored.</summary>
    public void OnGone(TChild child)
    {
        if (!_remaining.Remove(child))
        {
            return;
        }

        if (!_concurrent)
        {
            RequestNext();
        }

        CompleteIfDone();
    }

    /// <summary>Asks the next child still running, skipping those already gone.</summary>
    private void RequestNext()
    {
        for (; _next < _order.Count; _next++)
        {
            var child = _order[_next];
            if (!_remaining.Contains(child))
            {
                continue;
            }

            if (!ChildLifecycleRule.HasIncarnation(child.Lifecycle))
            {
                _remaining.Remove(child);
                continue;
            }

            if (child.Lifecycle != ChildLifecycle.Stopping)
            {
                _effects.RequestStop(child);
            }

            return;
        }
    }

    private void CompleteIfDone()
    {
        if (_remaining.Count == 0 && !_done)
        {
            _done = true;
            _effects.StopSequenceEnded(this);
            _onDone();
        }
    }
}

/// <summary>What a <see cref="StopSequence{TChild}"/> tells its shell to do.</summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
internal interface IStopEffects<in TChild>
{
    /// <summary>Ask the child to stop as its shutdown spec says (it moves to <see cref="ChildLifecycle.Stopping"/>).</summary>
    void RequestStop(TChild child);

    /// <summary>The sequence is over (just before its continuation runs).</summary>
    void StopSequenceEnded(object sequence);
}

/// <summary>A child whose lifecycle state can be read.</summary>
internal interface IHasLifecycle
{
    /// <summary>Where the child is in its life.</summary>
    ChildLifecycle Lifecycle { get; }
}

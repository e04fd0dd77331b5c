namespace Supervise.Runtime;

/// <summary>
/// The counts a tree's supervisors keep up to date for whoever watches the tree (its handle, health checks, metrics, a
/// settling test): children by health, work in progress, abandoned children, and what chaos runs have in motion.
/// Updated with atomic adds, on health changes and starts and stops, never per message.
/// </summary>
internal sealed class TreeCounts
{
    private readonly int[] _byHealth = new int[4];
    private int _abandoned;
    private int _inProgress;
    private int _rootHealth = (int)HealthState.Restarting;
    private int _pendingInjections;
    private int _faultsLanding;

    /// <summary>
    /// Children that a supervisor of this tree stopped waiting for past their shutdown timeout and that have
    /// not terminated yet: blocked in a handler, their actors outlive the shutdown that gave up on them.
    /// </summary>
    public int AbandonedChildren => Volatile.Read(ref _abandoned);

    /// <summary>Children anywhere in the tree (nested supervisors included) whose last published health is <paramref name="state"/>, kept by their supervisors.</summary>
    public int ChildrenIn(HealthState state) => Volatile.Read(ref _byHealth[(int)state]);

    /// <summary>Restarts the tree is carrying out now (backoff waits not included), and supervisors in a start, stop or group-restart sequence.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>The root supervisor's health as it last published it (Restarting until it has started its children).</summary>
    public HealthState RootHealth { get => (HealthState)Volatile.Read(ref _rootHealth); set => Volatile.Write(ref _rootHealth, (int)value); }

    /// <summary>Chaos runs on the tree whose next fault waits for the tree to settle (the rest of a burst, in virtual time).</summary>
    public int PendingInjections => Volatile.Read(ref _pendingInjections);

    /// <summary>Injected faults carried out that have not landed yet (not counting those waiting for the clock), over the chaos runs on the tree.</summary>
    public int FaultsLanding => Volatile.Read(ref _faultsLanding);

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    public void AbandonedGone() => Interlocked.Decrement(ref _abandoned);

    public void HealthCountChanged(HealthState state, int delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _byHealth[(int)state], delta);
        }
    }

    public void InProgressChanged(int delta) => Interlocked.Add(ref _inProgress, delta);

    public void PendingInjectionsChanged(int delta) => Interlocked.Add(ref _pendingInjections, delta);

    public void FaultsLandingChanged(int delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _faultsLanding, delta);
        }
    }
}

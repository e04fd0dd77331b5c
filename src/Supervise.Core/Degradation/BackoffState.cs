namespace Supervise;

/// <summary>
/// One child's backoff: how many restarts in a row it has had, and its seeded jitter source. Pure: the caller
/// gives the time and schedules the restart after the delay it is given.
/// </summary>
internal sealed class BackoffState(BackoffPolicy policy, int seed)
{
    private readonly Random _jitter = new(seed);

    public BackoffPolicy Policy { get; } = policy;

    /// <summary>The seed of the jitter source (reported in each delay's event, to reproduce it).</summary>
    public int Seed { get; } = seed;

    /// <summary>Restarts in a row (1 for the first); back to 0 after <see cref="BackoffPolicy.ResetAfter"/> without a crash.</summary>
    public int Attempt { get; private set; }

    /// <summary>When the last delayed restart is (or was) due.</summary>
    public TimeSpan LastRestartAt { get; private set; }

    /// <summary>The delay of the next restart, decided at <paramref name="now"/>.</summary>
    public TimeSpan Next(TimeSpan now)
    {
        if (Attempt > 0 && now - LastRestartAt >= Policy.ResetAfter)
        {
            Attempt = 0;
        }

        Attempt++;
        var delay = Policy.DelayFor(Attempt, _jitter.NextDouble());
        LastRestartAt = now + delay;
        return delay;
    }

    /// <summary>Started or stopped by hand: the delays start again from the first.</summary>
    public void Reset()
    {
        Attempt = 0;
        LastRestartAt = default;
    }
}

namespace Supervise;

/// <summary>
/// A supervisor's sliding restart window (OTP intensity and period). Pure: the caller gives the time.
/// A restart at time <c>t</c> counts every earlier restart at <c>t - Period</c> or later; if the count,
/// including this one, exceeds the intensity, the supervisor gives up.
/// </summary>
public sealed class RestartWindow
{
    private readonly Queue<(TimeSpan At, object? Owner)> _restarts = new();

    /// <summary>Creates an empty window.</summary>
    /// <param name="intensity">Restarts allowed within <paramref name="period"/>; 0 or more.</param>
    /// <param name="period">The window's length; positive.</param>
    public RestartWindow(int intensity, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intensity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Intensity = intensity;
        Period = period;
    }

    /// <summary>Restarts allowed within <see cref="Period"/>.</summary>
    public int Intensity { get; private set; }

    /// <summary>The window's length.</summary>
    public TimeSpan Period { get; private set; }

    /// <summary>Takes a new intensity and period (a live upgrade of its supervisor): the restarts already counted stay in the window.</summary>
    internal void Reconfigure(int intensity, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intensity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Intensity = intensity;
        Period = period;
    }

    /// <summary>The restarts in the window as of the last call to <see cref="Record(TimeSpan)"/>.</summary>
    public int Count => _restarts.Count;

    /// <summary>Records a restart at <paramref name="now"/> (a monotonic time) and says whether it is allowed.</summary>
    /// <returns>The number of restarts in the window including this one, and whether that exceeds the intensity.</returns>
    public RestartVerdict Record(TimeSpan now) => Record(now, null);

    /// <summary>Records a restart made for <paramref name="owner"/> at <paramref name="now"/>, as the overload without an owner does.</summary>
    /// <param name="now">A monotonic time.</param>
    /// <param name="owner">What the restart is counted against, for <see cref="Forget"/>; may be <see langword="null"/>.</param>
    public RestartVerdict Record(TimeSpan now, object? owner)
    {
        var threshold = now - Period;
        while (_restarts.Count > 0 && _restarts.Peek().At < threshold)
        {
            _restarts.Dequeue();
        }

        _restarts.Enqueue((now, owner));
        return new RestartVerdict(_restarts.Count, _restarts.Count > Intensity);
    }

    /// <summary>The restarts that would still be in the window at <paramref name="now"/> (nothing is recorded).</summary>
    public int CountAt(TimeSpan now)
    {
        var threshold = now - Period;
        return _restarts.Count(r => r.At >= threshold);
    }

    /// <summary>
    /// Removes every restart recorded for <paramref name="owner"/>: a child whose failures are contained
    /// (isolated, or behind a circuit breaker) no longer uses up its siblings' restarts.
    /// </summary>
    public void Forget(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var kept = _restarts.Where(r => !ReferenceEquals(r.Owner, owner)).ToList();
        _restarts.Clear();
        foreach (var restart in kept)
        {
            _restarts.Enqueue(restart);
        }
    }
}

/// <summary>The outcome of recording one restart in a <see cref="RestartWindow"/>.</summary>
/// <param name="CountInWindow">Restarts in the window, this one included.</param>
/// <param name="Exceeded">Whether this restart is one more than the intensity allows.</param>
public readonly record struct RestartVerdict(int CountInWindow, bool Exceeded);

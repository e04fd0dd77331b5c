using Xunit;

namespace Supervise.Tests.Degradation;

/// <summary>Requeue and quarantine decided alone: the same message crashing the child in a row.</summary>
public sealed class InFlightStreakTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    [Fact]
    public void Without_requeue_or_quarantine_the_message_is_dropped()
    {
        Assert.Equal(InFlightOutcome.Drop, new InFlightStreak().Crashed("m", TimeSpan.Zero, Period, default, 0, false));
    }

    [Fact]
    public void Requeue_puts_the_message_back_however_often_it_crashes()
    {
        var streak = new InFlightStreak();
        var outcomes = Enumerable.Range(0, 5).Select(i => streak.Crashed("m", TimeSpan.FromSeconds(i), Period, default, int.MaxValue, false)).ToList();
        Assert.All(outcomes, o => Assert.Equal(InFlightOutcome.Requeue, o));
        Assert.Equal(5, streak.Crashes);
    }

    [Fact]
    public void Quarantine_sets_the_message_aside_on_its_kth_crash_in_a_row()
    {
        var streak = new InFlightStreak();
        var message = new object();
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(message, TimeSpan.Zero, Period, default, 3, true));
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(message, TimeSpan.FromSeconds(1), Period, default, 3, true));
        Assert.Equal(InFlightOutcome.Quarantine, streak.Crashed(message, TimeSpan.FromSeconds(2), Period, default, 3, true));
        Assert.Equal(3, streak.Crashes);
        // Set aside: a new streak starts.
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(message, TimeSpan.FromSeconds(3), Period, default, 3, true));
        Assert.Equal(1, streak.Crashes);
    }

    [Fact]
    public void Another_message_or_a_crash_past_the_period_starts_a_new_streak()
    {
        var streak = new InFlightStreak();
        var message = new object();
        streak.Crashed(message, TimeSpan.Zero, Period, default, 2, true);
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(new object(), TimeSpan.FromSeconds(1), Period, default, 2, true));
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(message, TimeSpan.FromSeconds(2), Period, default, 2, true));
        Assert.Equal(InFlightOutcome.Requeue, streak.Crashed(message, TimeSpan.FromSeconds(8), Period, default, 2, true));
        Assert.Equal(1, streak.Crashes);
    }

    [Fact]
    public void A_backoff_delay_counts_from_the_restart_not_the_crash()
    {
        var streak = new InFlightStreak();
        var message = new object();
        streak.Crashed(message, TimeSpan.Zero, Period, default, 2, true);
        // Restarted at 9 s after a backoff delay; crashed again at 10 s: still in a row.
        Assert.Equal(InFlightOutcome.Quarantine, streak.Crashed(message, TimeSpan.FromSeconds(10), Period, TimeSpan.FromSeconds(9), 2, true));
    }
}

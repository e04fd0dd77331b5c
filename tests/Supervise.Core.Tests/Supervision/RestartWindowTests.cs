using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>The sliding restart window, as a pure function of the times given.</summary>
public sealed class RestartWindowTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Intensity_restarts_are_allowed_and_the_next_one_exceeds()
    {
        var window = new RestartWindow(3, S(5));

        Assert.Equal(new RestartVerdict(1, false), window.Record(S(0)));
        Assert.Equal(new RestartVerdict(2, false), window.Record(S(1)));
        Assert.Equal(new RestartVerdict(3, false), window.Record(S(2)));
        Assert.Equal(new RestartVerdict(4, true), window.Record(S(3)));
    }

    [Fact]
    public void Restarts_older_than_the_period_leave_the_window()
    {
        var window = new RestartWindow(1, S(5));

        Assert.False(window.Record(S(0)).Exceeded);
        Assert.False(window.Record(S(5.001)).Exceeded);
        Assert.Equal(1, window.Count);
    }

    [Fact]
    public void A_restart_exactly_one_period_old_still_counts()
    {
        var window = new RestartWindow(1, S(5));

        window.Record(S(0));

        Assert.Equal(new RestartVerdict(2, true), window.Record(S(5)));
    }

    [Fact]
    public void Intensity_zero_exceeds_at_once()
    {
        Assert.True(new RestartWindow(0, S(1)).Record(S(0)).Exceeded);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartWindow(-1, S(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartWindow(1, TimeSpan.Zero));
    }

    [Fact]
    public void It_matches_a_brute_force_count_on_random_histories()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var intensity = random.Next(0, 6);
            var period = S(random.Next(1, 10));
            var window = new RestartWindow(intensity, period);
            var times = new List<TimeSpan>();
            var now = TimeSpan.Zero;
            for (var i = 0; i < 30; i++)
            {
                now += TimeSpan.FromMilliseconds(random.Next(0, 3000));
                times.Add(now);
                var expected = times.Count(t => t >= now - period);
                var verdict = window.Record(now);
                Assert.True(expected == verdict.CountInWindow, $"seed {seed}, round {round}, restart {i}: expected {expected} in window, got {verdict.CountInWindow}");
                Assert.Equal(expected > intensity, verdict.Exceeded);
            }
        }
    }
}

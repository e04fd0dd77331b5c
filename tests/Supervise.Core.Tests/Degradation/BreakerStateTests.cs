using Xunit;

namespace Supervise.Tests.Degradation;

/// <summary>The circuit breaker's state machine alone, as Polly tests its circuit behaviour: no actor, the time given.</summary>
public sealed class BreakerStateTests
{
    private static BreakerState Breaker(int failures = 3) =>
        new(Policy.CircuitBreaker(failures, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)) with { Multiplier = 2, MaxCooldown = TimeSpan.FromSeconds(3) });

    [Fact]
    public void It_opens_on_the_nth_failure_within_its_window()
    {
        var breaker = Breaker(3);
        Assert.False(breaker.FailureOpens(TimeSpan.FromSeconds(0)));
        Assert.False(breaker.FailureOpens(TimeSpan.FromSeconds(1)));
        Assert.True(breaker.FailureOpens(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Failures_older_than_its_window_are_forgotten()
    {
        var breaker = Breaker(2);
        Assert.False(breaker.FailureOpens(TimeSpan.FromSeconds(0)));
        Assert.False(breaker.FailureOpens(TimeSpan.FromSeconds(11)));
        Assert.True(breaker.FailureOpens(TimeSpan.FromSeconds(12)));
    }

    [Fact]
    public void Each_open_in_a_row_cools_down_longer_up_to_the_maximum_and_closing_starts_again()
    {
        var breaker = Breaker();
        var cooldowns = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            cooldowns.Add(breaker.Open());
            Assert.Equal(CircuitState.Open, breaker.Circuit);
            Assert.True(breaker.TryHalfOpen());
            Assert.True(breaker.FailureOpens(TimeSpan.Zero)); // the probe crashed
        }

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)], cooldowns);
        breaker.Open();
        breaker.TryHalfOpen();
        Assert.True(breaker.TryClose());
        Assert.Equal((CircuitState.Closed, 0), (breaker.Circuit, breaker.Opens));
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.Open());
    }

    [Fact]
    public void Transitions_out_of_turn_are_refused()
    {
        var breaker = Breaker();
        Assert.False(breaker.TryHalfOpen());
        Assert.False(breaker.TryClose());
        breaker.Open();
        Assert.False(breaker.TryClose());
    }

    [Fact]
    public void A_reset_forgets_the_opens_and_the_failures()
    {
        var breaker = Breaker(2);
        breaker.FailureOpens(TimeSpan.Zero);
        breaker.Open();
        breaker.Reset();
        Assert.Equal((CircuitState.Closed, 0), (breaker.Circuit, breaker.Opens));
        Assert.False(breaker.FailureOpens(TimeSpan.FromSeconds(1)));
    }
}

using Xunit;

namespace Supervise.Tests.Degradation;

/// <summary>The backoff's delays alone: exponential, seeded, reset after a quiet spell.</summary>
public sealed class BackoffStateTests
{
    private static readonly BackoffPolicy NoJitter = Policy.Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)) with { Jitter = 0, ResetAfter = TimeSpan.FromSeconds(30) };

    [Fact]
    public void Delays_double_up_to_the_maximum()
    {
        var backoff = new BackoffState(NoJitter, seed: 1);
        var delays = Enumerable.Range(0, 5).Select(i => backoff.Next(TimeSpan.FromSeconds(i))).ToList();
        Assert.Equal(new[] { 1, 2, 4, 5, 5 }.Select(s => TimeSpan.FromSeconds(s)), delays);
        Assert.Equal(5, backoff.Attempt);
    }

    [Fact]
    public void A_quiet_spell_of_reset_after_starts_the_delays_again()
    {
        var backoff = new BackoffState(NoJitter, seed: 1);
        backoff.Next(TimeSpan.Zero);                    // due at 1 s
        backoff.Next(TimeSpan.FromSeconds(2));          // due at 4 s
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next(TimeSpan.FromSeconds(34)));
        Assert.Equal(1, backoff.Attempt);
    }

    [Fact]
    public void The_same_seed_gives_the_same_jittered_delays()
    {
        var policy = NoJitter with { Jitter = 0.5 };
        var a = new BackoffState(policy, seed: 42);
        var b = new BackoffState(policy, seed: 42);
        var first = Enumerable.Range(0, 4).Select(i => a.Next(TimeSpan.FromSeconds(i))).ToList();
        var second = Enumerable.Range(0, 4).Select(i => b.Next(TimeSpan.FromSeconds(i))).ToList();
        Assert.Equal(first, second);
        Assert.Contains(first, d => d != TimeSpan.FromSeconds(1) && d != TimeSpan.FromSeconds(2) && d != TimeSpan.FromSeconds(4));
    }
}

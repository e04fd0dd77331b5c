using Supervise.Supervision;
using Xunit;
using O = Supervise.Supervision.ExitOutcome;

namespace Supervise.Tests.Supervision;

/// <summary>
/// How one exit is decided, without an ActorSystem: OTP's <c>do_restart</c> clauses (by restart type and exit
/// reason), <c>add_restart</c> (the window), then Supervise's breaker, isolation and backoff, in that order.
/// </summary>
public sealed class ExitRuleTests
{
    private static readonly ExitReason Crash = ExitReason.Crash(new InvalidOperationException("boom"));
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    public static TheoryData<RestartType, string, bool, string> ByTypeAndReason() => new()
    {
        // OTP supervisor docs, "restart" field: permanent always, transient only on an abnormal exit, temporary never.
        { RestartType.Permanent, "normal", false, "Restart" },
        { RestartType.Permanent, "shutdown", false, "Restart" },
        { RestartType.Permanent, "crash", false, "Restart" },
        { RestartType.Transient, "normal", false, "Leave" },
        { RestartType.Transient, "shutdown", false, "Leave" },
        { RestartType.Transient, "failure", false, "Restart" },
        { RestartType.Transient, "crash", false, "Restart" },
        { RestartType.Temporary, "normal", false, "Remove" },
        { RestartType.Temporary, "crash", false, "Remove" },
        // A dynamic supervisor keeps no spec of a child that is not restarted (simple_one_for_one).
        { RestartType.Transient, "normal", true, "Remove" },
        { RestartType.Permanent, "normal", true, "Restart" },
    };

    [Theory]
    [MemberData(nameof(ByTypeAndReason))]
    public void The_restart_type_and_exit_reason_decide_first(RestartType restart, string reason, bool dynamic, string expected)
    {
        var exit = reason switch
        {
            "normal" => ExitReason.Normal,
            "shutdown" => ExitReason.Shutdown,
            "failure" => ExitReason.Failure("bad"),
            _ => Crash,
        };

        var decision = ExitRule.Decide(new ExitFacts(restart, exit, dynamic, false, false, false), new RestartWindow(3, Period), null, "c", TimeSpan.Zero);

        Assert.Equal(expected, decision.Outcome.ToString());
    }

    [Theory]
    [InlineData(RestartType.Transient, "normal", true)]
    [InlineData(RestartType.Temporary, "crash", true)]
    [InlineData(RestartType.Transient, "crash", false)]
    public void Only_a_significant_child_stopped_for_good_asks_for_the_auto_shutdown_rule(RestartType restart, string reason, bool expected)
    {
        var exit = reason == "normal" ? ExitReason.Normal : Crash;
        var decision = ExitRule.Decide(new ExitFacts(restart, exit, false, true, false, false), new RestartWindow(3, Period), null, "c", TimeSpan.Zero);
        Assert.Equal(expected, decision.CheckAutoShutdown);
    }

    [Fact]
    public void A_child_that_is_not_restarted_is_not_counted_in_the_window()
    {
        var window = new RestartWindow(0, Period);
        var decision = ExitRule.Decide(new ExitFacts(RestartType.Temporary, Crash, false, false, false, false), window, null, "c", TimeSpan.Zero);
        Assert.Equal(O.Remove, decision.Outcome);
        Assert.Equal(0, window.Count);
    }

    public static TheoryData<int, double[], string> Windows() => new()
    {
        // Intensity 3 in 5 s: the fourth restart within 5 s gives up.
        { 3, [0, 1, 2, 3], "Restart,Restart,Restart,GiveUp" },
        // The window slides: a restart older than the period no longer counts (t - period is still inside, as in OTP).
        { 3, [0, 1, 2, 7.5], "Restart,Restart,Restart,Restart" },
        { 3, [0, 1, 2, 5], "Restart,Restart,Restart,GiveUp" },
        // Intensity 0: the first restart is one too many.
        { 0, [0], "GiveUp" },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void The_window_gives_up_one_restart_past_the_intensity(int intensity, double[] at, string expected)
    {
        var window = new RestartWindow(intensity, Period);
        var outcomes = at.Select(t => ExitRule.Decide(new ExitFacts(RestartType.Permanent, Crash, false, false, false, false), window, null, "c", TimeSpan.FromSeconds(t)).Outcome);
        Assert.Equal(expected, string.Join(",", outcomes));
    }

    [Fact]
    public void Giving_up_reports_the_count_in_the_window()
    {
        var window = new RestartWindow(1, Period);
        ExitRule.Decide(new ExitFacts(RestartType.Permanent, Crash, false, false, false, false), window, null, "a", TimeSpan.Zero);
        var decision = ExitRule.Decide(new ExitFacts(RestartType.Permanent, Crash, false, false, false, false), window, null, "b", TimeSpan.FromSeconds(1));
        Assert.Equal((O.GiveUp, 2, true), (decision.Outcome, decision.Verdict.CountInWindow, decision.Verdict.Exceeded));
    }

    [Fact]
    public void Isolation_takes_the_place_of_giving_up_and_only_there()
    {
        var window = new RestartWindow(1, Period);
        var isolated = new ExitFacts(RestartType.Permanent, Crash, false, false, Isolate: true, false);
        Assert.Equal(O.Restart, ExitRule.Decide(isolated, window, null, "c", TimeSpan.Zero).Outcome);
        Assert.Equal(O.Isolate, ExitRule.Decide(isolated, window, null, "c", TimeSpan.FromSeconds(1)).Outcome);
    }

    [Fact]
    public void A_backoff_delays_restarts_that_still_count_in_the_window()
    {
        var window = new RestartWindow(1, Period);
        var backoff = new ExitFacts(RestartType.Permanent, Crash, false, false, false, Backoff: true);
        Assert.Equal(O.RestartAfterBackoff, ExitRule.Decide(backoff, window, null, "c", TimeSpan.Zero).Outcome);
        Assert.Equal(O.GiveUp, ExitRule.Decide(backoff, window, null, "c", TimeSpan.FromSeconds(1)).Outcome);
    }

    [Fact]
    public void The_breaker_is_asked_before_the_window_and_opens_on_its_own_count()
    {
        var window = new RestartWindow(10, Period);
        var breaker = new BreakerState(Policy.CircuitBreaker(2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        var facts = new ExitFacts(RestartType.Permanent, Crash, false, false, false, false);

        Assert.Equal(O.Restart, ExitRule.Decide(facts, window, breaker, "c", TimeSpan.Zero).Outcome);
        var second = ExitRule.Decide(facts, window, breaker, "c", TimeSpan.FromSeconds(1));

        Assert.Equal(O.OpenCircuit, second.Outcome);
        Assert.Equal(1, window.Count); // the crash that opened the breaker is not a restart
    }

    [Fact]
    public void A_breaker_opens_instead_of_giving_up_when_the_window_is_exceeded()
    {
        var window = new RestartWindow(0, Period);
        var breaker = new BreakerState(Policy.CircuitBreaker(5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        var decision = ExitRule.Decide(new ExitFacts(RestartType.Permanent, Crash, false, false, false, false), window, breaker, "c", TimeSpan.Zero);
        Assert.Equal(O.OpenCircuit, decision.Outcome);
    }

    [Fact]
    public void The_probes_crash_opens_the_breaker_again_at_once()
    {
        var breaker = new BreakerState(Policy.CircuitBreaker(5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        breaker.Open();
        Assert.True(breaker.TryHalfOpen());
        var decision = ExitRule.Decide(new ExitFacts(RestartType.Permanent, Crash, false, false, false, false), new RestartWindow(3, Period), breaker, "c", TimeSpan.Zero);
        Assert.Equal(O.OpenCircuit, decision.Outcome);
    }
}

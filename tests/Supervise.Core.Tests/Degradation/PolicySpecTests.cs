using Akka.Actor;
using Xunit;

namespace Supervise.Tests.Degradation;

/// <summary>Policy validation and the pure formulas (backoff delays, breaker cool-downs, the window's forgetting).</summary>
public sealed class PolicySpecTests
{
    private static readonly ChildSpec Ok = ChildSpec.Worker("ok", Props.Empty);
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private static SupervisorSpec With(params DegradationPolicy[] policies) => new() { Children = [Ok with { Policies = policies }] };

    public static TheoryData<string, SupervisionSpec, string> Cases() => new()
    {
        { "two give-up policies", With(Policy.Isolate(), Policy.CircuitBreaker(3, S, S)), "root: Children[0] (\"ok\").Policies[1]: expected at most one give-up (Escalate, Isolate or CircuitBreaker) policy, received both Isolate and CircuitBreaker(3 in 00:00:01)" },
        { "two while-down policies", With(Policy.Buffer(10), Policy.Reject()), "root: Children[0] (\"ok\").Policies[1]: expected at most one while-down (Reject, Buffer or Fallback) policy, received both Buffer(10) and Reject" },
        { "requeue and quarantine", With(Policy.Requeue(), Policy.Quarantine(3)), "root: Children[0] (\"ok\").Policies[1]: expected at most one in-flight message (Requeue or Quarantine) policy, received both Requeue and Quarantine(3)" },
        { "null policy", With([null!]), "root: Children[0] (\"ok\").Policies[0]: expected a degradation policy, received null" },
        { "null list", new SupervisorSpec { DefaultPolicies = null!, Children = [Ok] }, "root: Children[0] (\"ok\").Policies (from DefaultPolicies): expected a list of degradation policies (empty is allowed), received null" },
        { "buffer capacity", With(Policy.Buffer(0)), "root: Children[0] (\"ok\").Policies[0].Capacity: expected 1 or more, received 0" },
        { "buffer overflow", With(Policy.Buffer(1) with { Overflow = (BufferOverflow)7 }), "root: Children[0] (\"ok\").Policies[0].Overflow: expected DropNewest or DropOldest, received 7" },
        { "backoff max below min", With(Policy.Backoff(2 * S, S)), "root: Children[0] (\"ok\").Policies[0].MaxDelay: expected a duration of at least MinDelay (00:00:02), received 00:00:01" },
        { "backoff zero min", With(Policy.Backoff(TimeSpan.Zero, S)), "root: Children[0] (\"ok\").Policies[0].MinDelay: expected a positive duration of at most 49 days, received 00:00:00" },
        { "backoff jitter", With(Policy.Backoff(S, S) with { Jitter = 1.5 }), "root: Children[0] (\"ok\").Policies[0].Jitter: expected a share from 0 to 1, received 1.5" },
        { "backoff multiplier", With(Policy.Backoff(S, S) with { Multiplier = 0.5 }), "root: Children[0] (\"ok\").Policies[0].Multiplier: expected 1 or more, received 0.5" },
        { "backoff reset", With(Policy.Backoff(S, S) with { ResetAfter = TimeSpan.Zero }), "root: Children[0] (\"ok\").Policies[0].ResetAfter: expected a positive duration, received 00:00:00" },
        { "breaker failures", With(Policy.CircuitBreaker(0, S, S)), "root: Children[0] (\"ok\").Policies[0].Failures: expected 1 or more, received 0" },
        { "breaker window", With(Policy.CircuitBreaker(1, TimeSpan.Zero, S)), "root: Children[0] (\"ok\").Policies[0].Window: expected a positive duration, received 00:00:00" },
        { "breaker max cooldown", With(Policy.CircuitBreaker(1, S, 2 * S) with { MaxCooldown = S }), "root: Children[0] (\"ok\").Policies[0].MaxCooldown: expected a duration of at least Cooldown (00:00:02), received 00:00:01" },
        { "breaker probe", With(Policy.CircuitBreaker(1, S, S) with { ProbeTime = TimeSpan.Zero }), "root: Children[0] (\"ok\").Policies[0].ProbeTime: expected a positive duration of at most 49 days, received 00:00:00" },
        { "quarantine after", With(Policy.Quarantine(0)), "root: Children[0] (\"ok\").Policies[0].After: expected 1 or more, received 0" },
        { "quarantine capacity", With(Policy.Quarantine(1) with { Capacity = 0 }), "root: Children[0] (\"ok\").Policies[0].Capacity: expected 1 or more, received 0" },
        { "fallback factory", With(Policy.Fallback((Func<Props>)null!)), "root: Children[0] (\"ok\").Policies[0].Start: expected a props factory for the stand-in, received null" },
        { "buffer for a supervisor", new SupervisorSpec { Children = [ChildSpec.ForSupervisor("s", new SupervisorSpec()) with { Policies = [Policy.Buffer(5)] }] }, "root: Children[0] (\"s\").Policies[0]: expected no Reject, Buffer, Fallback, Requeue or Quarantine for a supervisor child (nobody sends it work), received Buffer(5)" },
        { "backoff for a temporary", new SupervisorSpec { Children = [Ok with { Restart = RestartType.Temporary, Policies = [Policy.Backoff(S, S)] }] }, "root: Children[0] (\"ok\").Policies[0]: expected Escalate or Reject only, for a Temporary child, which is never restarted, received Backoff(00:00:01..00:00:01)" },
        { "default that does not apply", new SupervisorSpec { DefaultPolicies = [Policy.Quarantine(2)], Children = [ChildSpec.ForSupervisor("s", new SupervisorSpec())] }, "root: Children[0] (\"s\").Policies (from DefaultPolicies)[0]: expected no Reject, Buffer, Fallback, Requeue or Quarantine for a supervisor child (nobody sends it work), received Quarantine(2)" },
        { "backoff beyond a timer", With(Policy.Backoff(S, TimeSpan.FromDays(60))), "root: Children[0] (\"ok\").Policies[0].MaxDelay: expected a positive duration of at most 49 days, received 60.00:00:00" },
        { "quarantine behind a breaker", With(Policy.CircuitBreaker(2, S, S), Policy.Quarantine(3)), "root: Children[0] (\"ok\").Policies: expected a circuit breaker that allows at least as many crashes as Quarantine sets aside after (Failures of 3 or more), received CircuitBreaker(2 in 00:00:01) with Quarantine(3): the breaker opens first" },
        { "quarantine beyond the intensity", new SupervisorSpec { Intensity = 2, Children = [Ok with { Policies = [Policy.Quarantine(3)] }] }, "root: Children[0] (\"ok\").Policies: expected Quarantine After of at most the supervisor's Intensity (2), so the message is set aside before the supervisor gives up, received Quarantine(3)" },
        { "quarantine beyond a contained intensity", new SupervisorSpec { Intensity = 1, Children = [Ok with { Policies = [Policy.Isolate(), Policy.Quarantine(3)] }] }, "root: Children[0] (\"ok\").Policies: expected Quarantine After of at most the supervisor's Intensity + 1 (2), so the message is set aside before the child is contained, received Quarantine(3)" },
        { "dynamic template", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Policies = [Policy.Buffer(-1)] }), "root: Template.Policies[0].Capacity: expected 1 or more, received -1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_policy_rule_reports_where_what_was_expected_and_what_was_received(string rule, SupervisionSpec spec, string message)
    {
        var problems = spec.Validate();

        Assert.True(problems.Count == 1, $"{rule}: expected one problem, got: {string.Join(" | ", problems)}");
        Assert.Equal(message, problems[0].ToString());
    }

    [Fact]
    public void Policies_compose_one_per_concern()
    {
        var spec = new SupervisorSpec
        {
            DefaultPolicies = [Policy.Backoff(S, 10 * S), Policy.Buffer(100)],
            Children =
            [
                Ok,
                ChildSpec.Worker("cb", Props.Empty) with { Policies = [Policy.CircuitBreaker(3, 10 * S, S), Policy.Fallback(Props.Empty), Policy.Quarantine(2)] },
                ChildSpec.Worker("tmp", Props.Empty) with { Restart = RestartType.Temporary, Policies = [Policy.Reject()] },
                ChildSpec.ForSupervisor("s", new SupervisorSpec()) with { Policies = [Policy.Isolate(), Policy.Backoff(S, S)] },
            ],
        };

        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void Backoff_delays_grow_by_the_multiplier_up_to_the_maximum_with_jitter_around_the_base()
    {
        var backoff = Policy.Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) with { Multiplier = 2, Jitter = 0.5 };

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.DelayFor(1, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(400), backoff.DelayFor(3, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.DelayFor(3, 0.0));  // 400 × (1 − 0.5)
        Assert.Equal(TimeSpan.FromMilliseconds(600), backoff.DelayFor(3, 1.0));  // 400 × (1 + 0.5)
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.DelayFor(5, 0.5));         // 1600 capped
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.DelayFor(60, 0.5));        // no overflow
        Assert.Throws<ArgumentOutOfRangeException>(() => backoff.DelayFor(0, 0.5));
    }

    [Fact]
    public void Breaker_cooldowns_grow_by_the_multiplier_up_to_the_maximum()
    {
        var breaker = Policy.CircuitBreaker(3, S, S) with { Multiplier = 3, MaxCooldown = 20 * S };

        Assert.Equal(new[] { S, 3 * S, 9 * S, 20 * S, 20 * S }, Enumerable.Range(1, 5).Select(breaker.CooldownFor));
    }

    [Fact]
    public void The_window_forgets_one_owners_restarts_and_keeps_the_others()
    {
        var window = new RestartWindow(2, 10 * S);
        object a = "a", b = "b";
        window.Record(S, a);
        window.Record(2 * S, b);
        Assert.True(window.Record(3 * S, a).Exceeded);

        window.Forget(a);

        Assert.Equal(1, window.Count);
        Assert.Equal(new RestartVerdict(2, false), window.Record(4 * S, b));
    }
}

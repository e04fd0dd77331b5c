using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Degradation;

/// <summary>
/// Which way a stable address sends messages, row by row, with no actor: to the child while it answers; else its policy
/// while down; else the suspended incarnation's mailbox (kept by a restart in place); else dropped, with why.
/// </summary>
public sealed class RouteRuleTests
{
    [Theory]
    // lifecycle, health, circuit, policy while down, a stand-in runs → route, why
    [InlineData("Running", "Running", "Closed", "Drop", false, "Child", null)]
    [InlineData("Running", "Running", "Closed", "Reject", true, "Child", null)]
    [InlineData("Crashed", "Restarting", "Closed", "Drop", false, "Mailbox", null)] // restarted in place: its mailbox keeps it
    [InlineData("Held", "Restarting", "Closed", "Drop", false, "Mailbox", null)]
    [InlineData("Starting", "Restarting", "Closed", "Drop", false, "Mailbox", null)]
    [InlineData("RetryingInPlace", "Restarting", "Closed", "Drop", false, "Mailbox", null)]
    [InlineData("Crashed", "Restarting", "Closed", "Reject", false, "Reject", "it is restarting")]
    [InlineData("Crashed", "Restarting", "Closed", "Buffer", false, "Buffer", null)]
    [InlineData("Crashed", "Restarting", "Closed", "Fallback", true, "StandIn", null)]
    [InlineData("Crashed", "Restarting", "Closed", "Fallback", false, "Mailbox", null)] // no stand-in yet (it never ran)
    [InlineData("WaitingToRestart", "Restarting", "Closed", "Drop", false, "Drop", "it is restarting")]
    [InlineData("WaitingToRestart", "Restarting", "Closed", "Buffer", false, "Buffer", null)]
    [InlineData("WaitingToRestart", "Down", "Open", "Drop", false, "Drop", "its circuit breaker is open")]
    [InlineData("WaitingToRestart", "Down", "Open", "Buffer", false, "Drop", "its circuit breaker is open")] // down, not coming back: the buffer lets go
    [InlineData("WaitingToRestart", "Down", "Open", "Fallback", true, "StandIn", null)]
    [InlineData("Isolated", "Down", "Closed", "Drop", false, "Drop", "it was isolated after exceeding its supervisor's restart intensity")]
    [InlineData("Isolated", "Down", "Closed", "Reject", false, "Reject", "it was isolated after exceeding its supervisor's restart intensity")]
    [InlineData("NotRunning", "Down", "Closed", "Drop", false, "Drop", "it is not running")]
    [InlineData("Stopping", "Running", "Closed", "Drop", false, "Drop", "it is being stopped")] // never into a closing mailbox
    [InlineData("Stopping", "Restarting", "Closed", "Reject", false, "Reject", "it is being stopped")]
    [InlineData("ReplacedWhenGone", "Restarting", "Closed", "Drop", false, "Drop", "it is restarting")] // its actor is on its way out
    [InlineData("ReplacedWhenGone", "Restarting", "Closed", "Buffer", false, "Buffer", null)]
    public void An_address_routes_by_the_childs_state_and_its_policy_while_down(string lifecycle, string health, string circuit, string whileDown, bool standIn, string kind, string? why)
    {
        var facts = new RouteFacts(Enum.Parse<ChildLifecycle>(lifecycle), Enum.Parse<HealthState>(health), Enum.Parse<CircuitState>(circuit), Enum.Parse<WhileDown>(whileDown), standIn);

        Assert.Equal(new RouteChoice(Enum.Parse<RouteKind>(kind), why), RouteRule.Choose(facts));
    }

    [Theory]
    // An upgrade replacing the child: held from the moment the replacement begins (the old incarnation handles what it was
    // sent before) until the new incarnation runs, whatever its state and its policy while down.
    [InlineData("Running", "Running", "Closed", "Drop")]
    [InlineData("Running", "Running", "Closed", "Fallback")]
    [InlineData("Stopping", "Running", "Closed", "Reject")]
    [InlineData("NotRunning", "Down", "Closed", "Drop")]
    [InlineData("Starting", "Restarting", "Closed", "Drop")]
    [InlineData("Crashed", "Restarting", "Open", "Fallback")]
    public void An_address_holds_what_is_sent_while_an_upgrade_replaces_its_child(string lifecycle, string health, string circuit, string whileDown)
    {
        var facts = new RouteFacts(Enum.Parse<ChildLifecycle>(lifecycle), Enum.Parse<HealthState>(health), Enum.Parse<CircuitState>(circuit), Enum.Parse<WhileDown>(whileDown), StandInReady: true, Replacing: true);

        Assert.Equal(new RouteChoice(RouteKind.Buffer), RouteRule.Choose(facts));
    }

    [Fact]
    public void A_child_that_answers_is_reached_directly_whatever_its_policy()
    {
        foreach (var policy in Enum.GetValues<WhileDown>())
        {
            Assert.Equal(RouteKind.Child, RouteRule.Choose(new RouteFacts(ChildLifecycle.Running, HealthState.Running, CircuitState.Closed, policy, StandInReady: true)).Kind);
        }
    }
}

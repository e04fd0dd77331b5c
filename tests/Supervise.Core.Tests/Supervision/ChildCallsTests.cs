using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>
/// OTP's answers to runtime calls (supervisor.erl's <c>handle_call</c>, by its documentation), one row per case, with no
/// actor: a child's state is one of <see cref="ChildLifecycle"/>, or "none" when no child has the id.
/// </summary>
public sealed class ChildCallsTests
{
    [Theory]
    // start_child: {error, {already_started, Pid}} with a pid, {error, already_present} for a kept spec without one.
    [InlineData("Start", false, "Running", false, "AlreadyStarted")]
    [InlineData("Start", false, "Starting", false, "AlreadyStarted")]
    [InlineData("Start", false, "Held", false, "AlreadyStarted")]
    [InlineData("Start", false, "Stopping", false, "AlreadyStarted")]
    [InlineData("Start", false, "Crashed", false, "AlreadyPresent")] // pid restarting: not a pid
    [InlineData("Start", false, "RetryingInPlace", false, "AlreadyPresent")]
    [InlineData("Start", false, "WaitingToRestart", false, "AlreadyPresent")]
    [InlineData("Start", false, "NotRunning", false, "AlreadyPresent")]
    [InlineData("Start", false, "Isolated", false, "AlreadyPresent")]
    [InlineData("Start", false, "none", false, "Proceed")]
    [InlineData("Start", false, "none", true, "WaitForName")] // an incarnation on its way out still holds the name
    [InlineData("Start", true, "none", false, "NotSupported")] // a dynamic supervisor starts from its template
    // restart_child: only a stopped child; {error, running}, {error, restarting}, {error, not_found}.
    [InlineData("Restart", false, "NotRunning", false, "Proceed")]
    [InlineData("Restart", false, "Isolated", false, "Proceed")] // Supervise: an isolated child is started again by hand
    [InlineData("Restart", false, "NotRunning", true, "WaitForName")]
    [InlineData("Restart", false, "Running", false, "Running")]
    [InlineData("Restart", false, "Stopping", false, "Running")]
    [InlineData("Restart", false, "Crashed", false, "Restarting")]
    [InlineData("Restart", false, "WaitingToRestart", false, "Restarting")]
    [InlineData("Restart", false, "RetryingInPlace", false, "Restarting")]
    [InlineData("Restart", false, "ReplacedWhenGone", false, "Restarting")]
    [InlineData("Restart", false, "none", false, "NotFound")]
    [InlineData("Restart", true, "Running", false, "NotSupported")] // simple_one_for_one keeps no specs
    // delete_child: only a stopped child's spec.
    [InlineData("Delete", false, "NotRunning", false, "Proceed")]
    [InlineData("Delete", false, "Isolated", false, "Proceed")]
    [InlineData("Delete", false, "Running", false, "Running")]
    [InlineData("Delete", false, "Crashed", false, "Restarting")]
    [InlineData("Delete", false, "WaitingToRestart", false, "Restarting")]
    [InlineData("Delete", false, "none", false, "NotFound")]
    [InlineData("Delete", true, "NotRunning", false, "NotSupported")]
    // terminate_child: by id in a static supervisor, by id or pid in a dynamic one; not_found otherwise.
    [InlineData("TerminateById", false, "Running", false, "Proceed")]
    [InlineData("TerminateById", false, "NotRunning", false, "Proceed")] // ok: already stopped
    [InlineData("TerminateById", false, "WaitingToRestart", false, "Proceed")] // and no restart follows
    [InlineData("TerminateById", false, "none", false, "NotFound")]
    [InlineData("TerminateByRef", false, "Running", false, "NotFound")]
    [InlineData("TerminateByRef", true, "Running", false, "Proceed")]
    [InlineData("TerminateByRef", true, "none", false, "NotFound")]
    [InlineData("TerminateById", true, "Running", false, "Proceed")]
    public void A_call_answers_as_OTP_does(string call, bool dynamic, string found, bool nameHeld, string answer)
    {
        var state = found == "none" ? (ChildLifecycle?)null : Enum.Parse<ChildLifecycle>(found);

        Assert.Equal(Enum.Parse<CallAnswer>(answer), ChildCalls.Answer(Enum.Parse<ChildCall>(call), dynamic, state, nameHeld));
    }

    [Fact]
    public void Which_children_shows_a_pid_restarting_or_undefined_and_count_children_counts_only_a_pid_as_active()
    {
        foreach (var state in Enum.GetValues<ChildLifecycle>())
        {
            var expected = ChildLifecycleRule.IsRestarting(state) ? ChildStatus.Restarting
                : ChildLifecycleRule.HasIncarnation(state) ? ChildStatus.Running
                : ChildStatus.NotRunning;
            Assert.Equal(expected, ChildCalls.StatusOf(state));
            Assert.Equal(expected == ChildStatus.Running, ChildCalls.IsActive(state));
        }

        // OTP's hanging restart loop: a child whose restart keeps failing is restarting, not active.
        Assert.Equal((ChildStatus.Restarting, false), (ChildCalls.StatusOf(ChildLifecycle.RetryingInPlace), ChildCalls.IsActive(ChildLifecycle.RetryingInPlace)));
    }

    [Theory]
    [InlineData("Permanent", false, false)]
    [InlineData("Transient", false, false)]
    [InlineData("Temporary", false, true)] // OTP forgets a temporary child once it stops
    [InlineData("Permanent", true, true)] // and every child of simple_one_for_one
    public void A_terminated_child_keeps_its_spec_unless_temporary_or_dynamic(string restart, bool dynamic, bool forgotten) =>
        Assert.Equal(forgotten, ChildCalls.ForgottenWhenTerminated(Enum.Parse<RestartType>(restart), dynamic));

    [Theory]
    [InlineData(null, 5, 3, 3)]
    [InlineData(10, 5, 3, 3)]
    [InlineData(10, 8, 3, 2)]
    [InlineData(10, 10, 3, 0)]
    [InlineData(10, 12, 3, 0)] // never negative
    public void A_dynamic_supervisor_starts_as_many_as_fit_under_its_maximum(int? max, int count, int asked, int room) =>
        Assert.Equal(room, ChildCalls.Room(max, count, asked));
}

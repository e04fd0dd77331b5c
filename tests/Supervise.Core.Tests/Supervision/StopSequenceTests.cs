using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>
/// OTP's shutdown order (<c>terminate_children</c>), with no ActorSystem: one child at a time in the order given (a static
/// supervisor's reverse start order), each gone before the next is asked; all at once for a dynamic supervisor; children
/// already gone, or gone by themselves before their turn, skipped; the continuation run once.
/// </summary>
public sealed class StopSequenceTests
{
    [Fact]
    public void Children_are_asked_one_at_a_time_each_gone_before_the_next()
    {
        var (shell, children) = Shell("c", "b", "a");
        var sequence = new StopSequence<Child>(shell, children, concurrent: false, () => shell.Log.Add("done"));

        sequence.Begin();
        Assert.Equal(["stop c"], shell.Log);

        shell.Gone(sequence, children[0]);
        Assert.Equal(["stop c", "stop b"], shell.Log);

        shell.Gone(sequence, children[1]);
        shell.Gone(sequence, children[2]);
        Assert.Equal(["stop c", "stop b", "stop a", "ended", "done"], shell.Log);
        Assert.True(sequence.Done);
    }

    [Fact]
    public void A_dynamic_supervisor_asks_every_child_at_once()
    {
        var (shell, children) = Shell("a", "b", "c");
        var sequence = new StopSequence<Child>(shell, children, concurrent: true, () => shell.Log.Add("done"));

        sequence.Begin();
        Assert.Equal(["stop a", "stop b", "stop c"], shell.Log);

        shell.Gone(sequence, children[2]);
        shell.Gone(sequence, children[0]);
        Assert.DoesNotContain("done", shell.Log);
        shell.Gone(sequence, children[1]);
        Assert.Equal(["ended", "done"], shell.Log.Skip(3));
    }

    [Fact]
    public void Children_without_an_actor_are_not_asked_and_with_none_it_is_done_at_once()
    {
        var (shell, children) = Shell("c", "b", "a");
        children[1].State = ChildLifecycle.NotRunning;
        var sequence = new StopSequence<Child>(shell, children, concurrent: false, () => shell.Log.Add("done"));
        sequence.Begin();
        shell.Gone(sequence, children[0]);
        Assert.Equal(["stop c", "stop a"], shell.Log);

        var (empty, none) = Shell();
        var nothing = new StopSequence<Child>(empty, none, concurrent: false, () => empty.Log.Add("done"));
        nothing.Begin();
        Assert.Equal(["ended", "done"], empty.Log);
    }

    [Fact]
    public void A_child_that_leaves_by_itself_before_its_turn_is_skipped()
    {
        var (shell, children) = Shell("c", "b", "a");
        var sequence = new StopSequence<Child>(shell, children, concurrent: false, () => shell.Log.Add("done"));
        sequence.Begin();

        shell.Gone(sequence, children[1]); // b stopped by itself while c was being stopped
        Assert.Equal(["stop c"], shell.Log);
        shell.Gone(sequence, children[0]);

        Assert.Equal(["stop c", "stop a"], shell.Log);
    }

    [Fact]
    public void A_child_already_stopping_is_waited_for_not_asked_again_and_strangers_are_ignored()
    {
        var (shell, children) = Shell("b", "a");
        children[0].State = ChildLifecycle.Stopping; // asked by a terminate call just before
        var sequence = new StopSequence<Child>(shell, children, concurrent: false, () => shell.Log.Add("done"));
        sequence.Begin();
        Assert.Empty(shell.Log);

        shell.Gone(sequence, new Child("stranger"));
        Assert.Empty(shell.Log);
        shell.Gone(sequence, children[0]);
        shell.Gone(sequence, children[0]); // reported twice (terminated, then its timeout): counted once
        shell.Gone(sequence, children[1]);

        Assert.Equal(["stop a", "ended", "done"], shell.Log);
    }

    private static (Recorder Shell, List<Child> Children) Shell(params string[] ids) => (new Recorder(), [.. ids.Select(id => new Child(id))]);

    internal sealed class Child(string id) : IHasLifecycle
    {
        public string Id { get; } = id;

        public ChildLifecycle State { get; set; } = ChildLifecycle.Running;

        public ChildLifecycle Lifecycle => State;
    }

    internal sealed class Recorder : IStopEffects<Child>
    {
        public List<string> Log { get; } = [];

        public void RequestStop(Child child)
        {
            Assert.NotEqual(ChildLifecycle.Stopping, child.State);
            child.State = ChildLifecycle.Stopping;
            Log.Add("stop " + child.Id);
        }

        public void StopSequenceEnded(object sequence) => Log.Add("ended");

        /// <summary>The child's actor terminated: what the shell does before telling the sequence.</summary>
        public void Gone(StopSequence<Child> sequence, Child child)
        {
            child.State = ChildLifecycle.NotRunning;
            sequence.OnGone(child);
        }
    }
}

using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>
/// OTP's start order (<c>start_children</c>), with no ActorSystem: one child at a time, each confirmed before the next is
/// made; the first failure stops the start and names the child; answers from anyone but the child awaited are ignored.
/// </summary>
public sealed class StartSequenceTests
{
    [Fact]
    public void Each_child_is_made_only_once_the_one_before_it_answered()
    {
        var (shell, children) = Shell("a", "b", "c");
        var sequence = new StartSequence<Child>(shell, children, () => shell.Log.Add("done"), (c, e) => shell.Log.Add($"failed {c.Id}"));

        sequence.Next();
        Assert.Equal(["spawn a"], shell.Log);
        Assert.True(sequence.Awaits(children[0]));
        Assert.False(sequence.Awaits(children[1]));

        sequence.OnReady(children[1]); // not awaited: ignored
        Assert.Equal(["spawn a"], shell.Log);

        sequence.OnReady(children[0]);
        sequence.OnReady(children[1]);
        sequence.OnReady(children[2]);
        Assert.Equal(["spawn a", "started a", "spawn b", "started b", "spawn c", "started c", "ended", "done"], shell.Log);
    }

    [Fact]
    public void The_first_failure_ends_the_start_and_names_the_child()
    {
        var (shell, children) = Shell("a", "b", "c");
        var sequence = new StartSequence<Child>(shell, children, () => shell.Log.Add("done"), (c, e) => shell.Log.Add($"failed {c.Id}: {e.Message}"));
        sequence.Next();
        sequence.OnReady(children[0]);

        sequence.Fail(children[1], new InvalidOperationException("no database"));
        sequence.OnReady(children[2]); // nothing more is started or confirmed

        Assert.Equal(["spawn a", "started a", "spawn b", "abandon b", "ended", "failed b: no database"], shell.Log);
    }

    [Fact]
    public void A_child_that_cannot_be_made_fails_the_start_but_a_lifecycle_bug_is_not_taken_for_it()
    {
        var (shell, children) = Shell("a");
        shell.SpawnThrows = new InvalidOperationException("props factory threw");
        var sequence = new StartSequence<Child>(shell, children, () => shell.Log.Add("done"), (c, e) => shell.Log.Add($"failed {c.Id}: {e.Message}"));
        sequence.Next();
        Assert.Equal(["abandon a", "ended", "failed a: props factory threw"], shell.Log);

        var (buggy, more) = Shell("b");
        buggy.SpawnThrows = new LifecycleViolationException("b: NotRunning -> Held");
        Assert.Throws<LifecycleViolationException>(new StartSequence<Child>(buggy, more, () => { }, (_, _) => { }).Next);
    }

    [Fact]
    public void With_no_children_it_is_done_at_once()
    {
        var (shell, none) = Shell();
        new StartSequence<Child>(shell, none, () => shell.Log.Add("done"), (_, _) => shell.Log.Add("failed")).Next();

        Assert.Equal(["ended", "done"], shell.Log);
    }

    private static (Recorder Shell, List<Child> Children) Shell(params string[] ids) => (new Recorder(), [.. ids.Select(id => new Child(id))]);

    internal sealed class Child(string id) : IHasLifecycle
    {
        public string Id { get; } = id;

        public ChildLifecycle Lifecycle { get; set; } = ChildLifecycle.NotRunning;
    }

    internal sealed class Recorder : IStartEffects<Child>
    {
        public List<string> Log { get; } = [];

        public Exception? SpawnThrows { get; set; }

        public void Spawn(Child child)
        {
            if (SpawnThrows is { } e)
            {
                throw e;
            }

            child.Lifecycle = ChildLifecycle.Starting;
            Log.Add("spawn " + child.Id);
        }

        public void MarkStarted(Child child)
        {
            child.Lifecycle = ChildLifecycle.Running;
            Log.Add("started " + child.Id);
        }

        public void AbandonFailedStart(Child child, Exception cause)
        {
            child.Lifecycle = ChildLifecycle.NotRunning;
            Log.Add("abandon " + child.Id);
        }

        public void StartOperationEnded(object operation) => Log.Add("ended");
    }
}

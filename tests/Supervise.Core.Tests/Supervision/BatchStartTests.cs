using Supervise.Supervision;
using Xunit;
using static Supervise.Tests.Supervision.StartSequenceTests;

namespace Supervise.Tests.Supervision;

/// <summary>
/// A dynamic supervisor's batch start, with no ActorSystem: every child is made at once, every handshake awaited in any
/// order, and a child that fails (to be made, or to start) fails alone; the batch ends once, when the last one answered.
/// </summary>
public sealed class BatchStartTests
{
    [Fact]
    public void Every_child_is_made_at_once_and_the_batch_ends_when_the_last_answers_in_any_order()
    {
        var (shell, children) = Children("a", "b", "c");
        var batch = new BatchStart<Child>(shell, children, failed => shell.Log.Add($"done, {failed.Count} failed"));

        batch.Begin();
        Assert.Equal(["spawn a", "spawn b", "spawn c"], shell.Log);
        Assert.All(children, c => Assert.True(batch.Awaits(c)));

        batch.OnReady(children[2]);
        batch.OnReady(children[2]); // twice: counted once
        batch.OnReady(children[0]);
        Assert.DoesNotContain("ended", shell.Log);
        batch.OnReady(children[1]);

        Assert.Equal(["spawn a", "spawn b", "spawn c", "started c", "started a", "started b", "ended", "done, 0 failed"], shell.Log);
    }

    [Fact]
    public void A_child_that_fails_to_start_or_to_be_made_fails_alone()
    {
        var (shell, children) = Children("a", "b");
        var failures = new Dictionary<string, string>();
        var batch = new BatchStart<Child>(shell, children, failed =>
        {
            foreach (var (child, cause) in failed)
            {
                failures[child.Id] = cause.Message;
            }
        });
        batch.Begin();

        batch.Fail(children[0], new InvalidOperationException("no database"));
        batch.Fail(children[0], new InvalidOperationException("again")); // no longer awaited: ignored
        Assert.Empty(failures);
        batch.OnReady(children[1]);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "no database" }, failures);
        Assert.Equal(["spawn a", "spawn b", "abandon a", "started b", "ended"], shell.Log);
    }

    [Fact]
    public void A_batch_whose_children_all_cannot_be_made_ends_at_once_but_a_lifecycle_bug_is_not_taken_for_a_failure()
    {
        var (shell, children) = Children("a", "b");
        shell.SpawnThrows = new InvalidOperationException("props factory threw");
        IReadOnlyDictionary<Child, Exception>? failed = null;
        new BatchStart<Child>(shell, children, f => failed = f).Begin();
        Assert.Equal(["a", "b"], failed!.Keys.Select(c => c.Id).Order());
        Assert.Equal(["abandon a", "abandon b", "ended"], shell.Log);

        var (buggy, more) = Children("c");
        buggy.SpawnThrows = new LifecycleViolationException("c: NotRunning -> Held");
        Assert.Throws<LifecycleViolationException>(new BatchStart<Child>(buggy, more, _ => { }).Begin);
    }

    private static (Recorder Shell, List<Child> Children) Children(params string[] ids) => (new Recorder(), [.. ids.Select(id => new Child(id))]);
}

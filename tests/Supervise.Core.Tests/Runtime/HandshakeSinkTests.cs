using Akka.Actor;
using Supervise.Runtime;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// The answers of a batch's handshakes, gathered on the children's threads: the supervisor is told once for every answer
/// that arrives before it reads them, and again for any that arrives after it started reading (none is left unread).
/// </summary>
public sealed class HandshakeSinkTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public void Answers_that_arrive_together_cost_the_supervisor_one_message_and_are_read_in_order()
    {
        var supervisor = CreateTestProbe();
        var sink = new HandshakeSink(supervisor.Ref, ((ExtendedActorSystem)Sys).Provider);
        var record = NewRecord();
        var (a, b) = (CreateTestProbe().Ref, CreateTestProbe().Ref);

        sink.Tell(new ActorIdentity(new Handshake(record, 1), a), a);
        sink.Tell(new ActorIdentity(new Handshake(record, 2), b), b);
        sink.Tell(new ActorIdentity(null, a), a); // not a handshake's answer: not kept

        supervisor.ExpectMsg<HandshakesAnswered>();
        Assert.False(supervisor.HasMessages); // a Tell to a probe is enqueued at once: a second message would be there already
        Assert.Equal([new HandshakeAnswer(record, 1, a), new HandshakeAnswer(record, 2, b)], Drain(sink));

        sink.Tell(new ActorIdentity(new Handshake(record, 3), null), ActorRefs.NoSender); // after the read: told again
        supervisor.ExpectMsg<HandshakesAnswered>();
        Assert.Equal([new HandshakeAnswer(record, 3, null)], Drain(sink));
        Assert.Empty(Drain(sink));
    }

    [Fact]
    public void An_answer_kept_while_the_supervisor_reads_is_told_again_so_none_waits_unread()
    {
        var supervisor = CreateTestProbe();
        var sink = new HandshakeSink(supervisor.Ref, ((ExtendedActorSystem)Sys).Provider);
        var record = NewRecord();
        var child = CreateTestProbe().Ref;
        sink.Tell(new ActorIdentity(new Handshake(record, 1), child), child);
        supervisor.ExpectMsg<HandshakesAnswered>();

        var read = new List<HandshakeAnswer>();
        sink.Drain(answer =>
        {
            read.Add(answer);
            if (read.Count == 1)
            {
                sink.Tell(new ActorIdentity(new Handshake(record, 2), child), child); // a child answers mid-read
            }
        });

        Assert.Equal([1, 2], read.Select(r => r.Number));
        supervisor.ExpectMsg<HandshakesAnswered>(); // harmless: the next read finds nothing
        Assert.Empty(Drain(sink));
    }

    [Fact]
    public void Anything_else_sent_to_it_goes_to_the_supervisor_from_its_sender()
    {
        var supervisor = CreateTestProbe();
        var sink = new HandshakeSink(supervisor.Ref, ((ExtendedActorSystem)Sys).Provider);
        var sender = CreateTestProbe().Ref;

        sink.Tell("hello", sender);

        Assert.Equal("hello", supervisor.ExpectMsg<string>());
        Assert.Same(sender, supervisor.LastSender);
    }

    private static List<HandshakeAnswer> Drain(HandshakeSink sink)
    {
        var answers = new List<HandshakeAnswer>();
        sink.Drain(answers.Add);
        return answers;
    }

    private static ChildRecord NewRecord()
    {
        var spec = ChildSpec.Worker("worker", () => Props.Empty);
        return new ChildRecord(spec, PolicySet.For(spec.Policies, []), new ChildBook((_, _) => { }));
    }
}

using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>Makes supervisor actors without reflection.</summary>
internal sealed class SupervisorProducer : IIndirectActorProducer
{
    private readonly SupervisionSpec _spec;
    private readonly TreeRuntime _runtime;
    private readonly string _path;
    private readonly RootLink? _root;
    private readonly CrashHandover _handover = new();

    public SupervisorProducer(SupervisionSpec spec, TreeRuntime runtime, string path, RootLink? root)
    {
        _spec = spec;
        _runtime = runtime;
        _path = path;
        _root = root;
    }

    public Type ActorType => typeof(SupervisorActor);

    public ActorBase Produce() => new SupervisorActor(_spec, _runtime, _path, _root, _handover);

    public void Release(ActorBase actor)
    {
    }

    public static Props Props(SupervisionSpec spec, TreeRuntime runtime, string path, RootLink? root) =>
        Akka.Actor.Props.CreateBy(new SupervisorProducer(spec, runtime, path, root));
}

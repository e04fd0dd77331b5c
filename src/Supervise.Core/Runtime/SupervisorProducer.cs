using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>Makes supervisor actors without reflection.</summary>
internal sealed class SupervisorProducer : IIndirectActorProducer
{
    /// <summary>The spec its next incarnation starts from: the first one, or the last a live upgrade gave the supervisor.</summary>
    public SupervisionSpec Spec { get; set; }
    private readonly TreeRuntime _runtime;
    private readonly string _path;
    private readonly RootLink? _root;
    /// <summary>What an incarnation leaves the next (see <see cref="CrashHandover"/>).</summary>
    public CrashHandover Handover { get; } = new();

    public SupervisorProducer(SupervisionSpec spec, TreeRuntime runtime, string path, RootLink? root)
    {
        Spec = spec;
        _runtime = runtime;
        _path = path;
        _root = root;
    }

    public Type ActorType => typeof(SupervisorActor);

    public ActorBase Produce() => new SupervisorActor(Spec, _runtime, _path, _root, this);

    public void Release(ActorBase actor)
    {
    }

    public static Props Props(SupervisionSpec spec, TreeRuntime runtime, string path, RootLink? root) =>
        Akka.Actor.Props.CreateBy(new SupervisorProducer(spec, runtime, path, root));
}

namespace Supervise;

/// <summary>
/// Base of every event a supervisor publishes on the actor system's event stream (OTP's SASL
/// supervisor and progress reports). Subscribe with <c>system.EventStream.Subscribe(actor, typeof(SupervisionEvent))</c>.
/// </summary>
/// <param name="SupervisorPath">The supervisor's place in the tree, for example <c>app/db</c>.</param>
/// <param name="Timestamp">When it happened, read from the tree's <see cref="TimeProvider"/>.</param>
public abstract record SupervisionEvent(string SupervisorPath, DateTimeOffset Timestamp);

/// <summary>An event about one child of a supervisor.</summary>
/// <param name="SupervisorPath">The supervisor's place in the tree.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ChildId">The child's id.</param>
public abstract record ChildEvent(string SupervisorPath, DateTimeOffset Timestamp, string ChildId)
    : SupervisionEvent(SupervisorPath, Timestamp)
{
    /// <summary>The child's place in the tree: <c>SupervisorPath/ChildId</c>.</summary>
    public string ChildPath => SupervisorPath + "/" + ChildId;
}

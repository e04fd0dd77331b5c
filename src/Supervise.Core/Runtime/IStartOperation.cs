namespace Supervise.Runtime;

/// <summary>Starting children and waiting for their handshakes: in order, or a batch at once.</summary>
internal interface IStartOperation
{
    /// <summary>Whether this operation waits for <paramref name="record"/>'s handshake.</summary>
    bool Awaits(ChildRecord record);

    /// <summary>The child answered its handshake: it has started.</summary>
    void OnReady(ChildRecord record);

    /// <summary>The child failed to start.</summary>
    void Fail(ChildRecord record, Exception cause);
}

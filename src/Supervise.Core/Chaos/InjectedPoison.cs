namespace Supervise;

/// <summary>Stands for a poison message the fault injector sent (fault <paramref name="Sequence"/>): it crashes its child every time it is handled.</summary>
public sealed record InjectedPoison(long Sequence);

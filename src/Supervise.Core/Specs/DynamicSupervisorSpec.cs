namespace Supervise;

/// <summary>
/// A supervisor whose children are all made from one template and started on demand with
/// <c>StartChildAsync(args)</c> (OTP <c>simple_one_for_one</c>, Elixir <c>DynamicSupervisor</c>).
/// Its strategy is one-for-one; on shutdown its children are stopped concurrently.
/// </summary>
public sealed record DynamicSupervisorSpec : SupervisionSpec
{
    /// <summary>Creates a dynamic supervisor spec from its child template.</summary>
    public DynamicSupervisorSpec(ChildTemplate template)
    {
        Template = template;
    }

    /// <summary>How each child is made and treated.</summary>
    public ChildTemplate Template { get; init; }

    /// <summary>The most children running at once; <see langword="null"/> (the default) for no limit.</summary>
    public int? MaxChildren { get; init; }
}

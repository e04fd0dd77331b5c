namespace Supervise;

/// <summary>One problem found in a spec: where, which field, what was expected and what was received.</summary>
/// <param name="Path">The place in the tree, for example <c>root/db/pool</c>.</param>
/// <param name="Field">The field at fault, for example <c>Intensity</c> or <c>Children[2].Id</c>.</param>
/// <param name="Expected">What a valid spec has there.</param>
/// <param name="Received">What this spec has there.</param>
public sealed record SpecProblem(string Path, string Field, string Expected, string Received)
{
    /// <inheritdoc/>
    /// <remarks>A long path, field or value is cut (see <see cref="Show"/>); the properties keep it whole.</remarks>
    public override string ToString() => $"{Show.Cut(Path)}: {Show.Cut(Field)}: expected {Expected}, received {Show.Cut(Received)}";
}

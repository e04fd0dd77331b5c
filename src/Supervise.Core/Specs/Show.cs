namespace Supervise;

/// <summary>Values echoed in messages: a long one is cut, saying how long it was, so that an error stays readable (a 100,000-character id is not repeated in full).</summary>
internal static class Show
{
    /// <summary>The longest value shown in full.</summary>
    public const int Limit = 200;

    /// <summary>The value, or its beginning and its length when longer than <see cref="Limit"/>; <c>null</c> for null.</summary>
    public static string Cut(string? value) =>
        value is null ? "null"
        : value.Length <= Limit ? value
        : string.Concat(value.AsSpan(0, Limit - 40), $"… ({value.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters)");

    /// <summary>The value in quotes (cut as <see cref="Cut"/> does), or <c>null</c> unquoted.</summary>
    public static string Quoted(string? value) => value is null ? "null" : $"\"{Cut(value)}\"";
}

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

    /// <summary>A timeout a caller passed, checked as the specs' durations are: positive and at most 49 days (what a .NET timer waits).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is zero or less, or longer than 49 days; the message says which was expected.</exception>
    public static TimeSpan Timeout(TimeSpan timeout, string parameter) =>
        timeout > TimeSpan.Zero && timeout <= PolicyChecks.MaxTimer
            ? timeout
            : throw new ArgumentOutOfRangeException(parameter, timeout, $"Expected a positive duration of at most 49 days (what a .NET timer waits), received {timeout}.");

    /// <summary>The value in quotes (cut as <see cref="Cut"/> does), or <c>null</c> unquoted.</summary>
    public static string Quoted(string? value) => value is null ? "null" : $"\"{Cut(value)}\"";
}

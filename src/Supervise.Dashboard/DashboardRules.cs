using System.Net;

namespace Supervise.Dashboard;

/// <summary>Who may see the dashboard and who may act through it: plain rules over a request's facts, each refusal with its reason.</summary>
internal static class DashboardRules
{
    /// <summary>Why a request from <paramref name="remote"/> is refused, or null when it may see the dashboard.</summary>
    public static string? RefuseViewer(IPAddress? remote, SuperviseDashboardOptions options) =>
        options.AllowRemoteClients || (remote is not null && IPAddress.IsLoopback(remote))
            ? null
            : $"the Supervise dashboard answers only loopback clients (127.0.0.0/8, ::1) unless SuperviseDashboardOptions.AllowRemoteClients is true; this request came from {remote?.ToString() ?? "an unknown address"}";

    /// <summary>Why an operation is refused before authorization is asked, or null.</summary>
    public static string? RefuseOperation(SuperviseDashboardOptions options) =>
        options.EnableOperations ? null : "the Supervise dashboard is read-only: operations on children need SuperviseDashboardOptions.EnableOperations set to true";

    /// <summary>Why an operation is refused by its authorization policy.</summary>
    public static string PolicyRefused(string policy) => $"operations on children require the authorization policy '{policy}', which this request does not satisfy";

    /// <summary>The options' problems, each naming what was wrong and what was expected (checked when the dashboard is mapped).</summary>
    public static IReadOnlyList<string> Problems(SuperviseDashboardOptions options)
    {
        var problems = new List<string>();
        if (options.EnableOperations && string.IsNullOrWhiteSpace(options.AuthorizationPolicy))
        {
            problems.Add("AuthorizationPolicy: expected the name of an authorization policy (registered with AddAuthorization) when EnableOperations is true, received none");
        }

        if (options.CollapseAbove < 1)
        {
            problems.Add($"CollapseAbove: expected 1 or more children, received {options.CollapseAbove}");
        }

        return problems;
    }
}

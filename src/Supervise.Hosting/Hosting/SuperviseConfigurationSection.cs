using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Supervise.Hosting;

/// <summary>
/// The configuration section Supervise's options are bound from, read again to check it: the binder skips
/// keys it does not know, and a value it cannot convert can drop its whole entry; a typo must not pass
/// silently.
/// </summary>
internal sealed class SuperviseConfigurationSection(IConfiguration section)
{
    private static readonly string[] TopKeys = [nameof(SuperviseOptions.ActorSystemName), nameof(SuperviseOptions.Trees)];

    private static readonly string[] TreeKeys =
        [nameof(TreeSettings.Enabled), nameof(TreeSettings.Strategy), nameof(TreeSettings.Intensity), nameof(TreeSettings.Period), nameof(TreeSettings.CallTimeout)];

    /// <summary>Fires when the configuration the section comes from is reloaded (a file saved, a provider's reload).</summary>
    public Microsoft.Extensions.Primitives.IChangeToken ReloadToken() => section.GetReloadToken();

    /// <summary>The section's path, as problems name keys.</summary>
    public string Path => section is IConfigurationSection s ? s.Path : "Supervise";

    /// <summary>The options as far as the section binds: keys the binder skips are skipped, and a value it cannot convert ends the binding there.</summary>
    public SuperviseOptions BindAsFarAsItGoes()
    {
        var options = new SuperviseOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException)
        {
            // The section check names that value; what bound before it is still checked.
        }

        return options;
    }

    /// <summary>Every key that is not a setting, and every value that does not convert to its setting's type.</summary>
    public IEnumerable<string> Problems()
    {
        var at = Path;
        foreach (var top in section.GetChildren())
        {
            if (!TopKeys.Contains(top.Key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{at}:{top.Key}: expected one of {string.Join(", ", TopKeys)}, received '{top.Key}'";
            }
        }

        foreach (var tree in section.GetSection(nameof(SuperviseOptions.Trees)).GetChildren())
        {
            foreach (var setting in tree.GetChildren())
            {
                var key = $"{at}:Trees:{tree.Key}:{setting.Key}";
                var value = setting.Value ?? "";
                var known = TreeKeys.FirstOrDefault(k => string.Equals(k, setting.Key, StringComparison.OrdinalIgnoreCase));
                var problem = known switch
                {
                    null => $"{key}: expected one of {string.Join(", ", TreeKeys)}, received '{setting.Key}'",
                    nameof(TreeSettings.Enabled) when !bool.TryParse(value, out _) => $"{key}: expected true or false, received '{value}'",
                    nameof(TreeSettings.Strategy) when !Enum.TryParse<Strategy>(value, ignoreCase: true, out _) || int.TryParse(value, out _) =>
                        $"{key}: expected one of {string.Join(", ", Enum.GetNames<Strategy>())}, received '{value}'",
                    nameof(TreeSettings.Intensity) when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => $"{key}: expected a whole number of restarts, received '{value}'",
                    nameof(TreeSettings.Period) or nameof(TreeSettings.CallTimeout) when !TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _) => $"{key}: expected a time span such as 00:00:05, received '{value}'",
                    _ => null,
                };
                if (problem is not null)
                {
                    yield return problem;
                }
            }
        }
    }
}

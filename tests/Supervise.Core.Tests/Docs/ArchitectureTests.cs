using System.Text.RegularExpressions;
using Xunit;

namespace Supervise.Tests.Docs;

/// <summary>docs/architecture.md names real files, and Supervise.Core keeps the shape it describes.</summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void Every_source_file_the_architecture_page_names_exists()
    {
        var root = RepositoryRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "architecture.md"));
        var named = SourcePath().Matches(page).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.NotEmpty(named);
        Assert.All(named, path => Assert.True(File.Exists(Path.Combine(root, "src", "Supervise.Core", path)), $"docs/architecture.md names {path}, which is not in src/Supervise.Core"));
    }

    [Fact]
    public void No_file_of_the_core_is_over_500_lines_and_each_folder_says_what_it_owns()
    {
        var core = Path.Combine(RepositoryRoot(), "src", "Supervise.Core");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var long_ = files.Select(f => (File: Path.GetRelativePath(core, f), Lines: File.ReadAllLines(f).Length)).Where(f => f.Lines > 500).ToList();

        Assert.True(long_.Count == 0, "over 500 lines: " + string.Join(", ", long_.Select(f => $"{f.File} ({f.Lines})")));
        foreach (var folder in new[] { "Supervision", "Degradation", "Health", "Chaos", "Runtime", "Api", "Events", "Specs", "Upgrades" })
        {
            Assert.True(File.Exists(Path.Combine(core, folder, "README.md")), $"{folder}/ has no README.md saying what it owns");
        }
    }

    [GeneratedRegex(@"`(?<path>(?:Api|Chaos|Degradation|Events|Health|Runtime|Specs|Supervision|Upgrades)/[A-Za-z.]+\.cs)`")]
    private static partial Regex SourcePath();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Supervise.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Supervise.sln not found above " + AppContext.BaseDirectory);
    }
}

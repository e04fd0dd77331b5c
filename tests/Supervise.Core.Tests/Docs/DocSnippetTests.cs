using Xunit;

namespace Supervise.Tests.Docs;

/// <summary>Every C# block in the docs is an excerpt of compiled example code, so the docs cannot drift.</summary>
public sealed class DocSnippetTests
{
    public static TheoryData<string, string> Pages() => new()
    {
        { "docs/concepts/supervision.md", "tests/Supervise.Core.Tests/Docs/SupervisionGuideExamples.cs" },
        { "README.md", "tests/Supervise.Core.Tests/Docs/ReadmeExample.cs" },
        { "docs/concepts/degradation.md", "tests/Supervise.Core.Tests/Docs/DegradationGuideExamples.cs" },
        { "docs/concepts/fault-injection.md", "tests/Supervise.Core.Tests/Docs/FaultInjectionGuideExamples.cs" },
        { "docs/concepts/upgrades.md", "tests/Supervise.Core.Tests/Docs/UpgradeGuideExamples.cs" },
        { "docs/guides/chaos-tests.md", "tests/Supervise.TestKit.Tests/Docs/ChaosTestsGuideExamples.cs" },
        { "docs/guides/cluster.md", "tests/Supervise.Cluster.Tests/Docs/ClusterGuideExamples.cs" },
        { "docs/guides/observability.md", "tests/Supervise.Hosting.Tests/Docs/ObservabilityExample.cs" },
        { "docs/guides/dashboard.md", "tests/Supervise.Hosting.Tests/Docs/DashboardExample.cs" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void Each_csharp_block_is_an_excerpt_of_the_compiled_examples(string page, string examples)
    {
        var root = FindRepositoryRoot();
        var code = Normalize(File.ReadAllText(Path.Combine(root, examples)));
        var blocks = CSharpBlocks(File.ReadAllText(Path.Combine(root, page))).ToList();

        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            Assert.True(code.Contains(Normalize(block), StringComparison.Ordinal), $"{page} has a C# block that is not in {examples}:\n{block}");
        }
    }

    private static IEnumerable<string> CSharpBlocks(string markdown)
    {
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() != "```csharp")
            {
                continue;
            }

            var block = new List<string>();
            for (i++; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
            {
                block.Add(lines[i]);
            }

            yield return string.Join('\n', block);
        }
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Supervise.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Supervise.sln not found above " + AppContext.BaseDirectory);
    }
}

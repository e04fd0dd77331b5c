using System.Text.RegularExpressions;
using Supervise.Samples.Cli;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>Every command line the docs give for the samples is one the executable takes.</summary>
public sealed partial class DocumentedCommandsTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SamplePage.Root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(SamplePage.Root, "README.md")).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            if (text.Contains(SamplePage.Command, StringComparison.Ordinal))
            {
                pages.Add(Path.GetRelativePath(SamplePage.Root, file).Replace('\\', '/'));
            }
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Each_sample_command_in_the_page_parses(string page)
    {
        var commands = Commands(File.ReadAllText(Path.Combine(SamplePage.Root, page))).ToList();

        Assert.NotEmpty(commands);
        foreach (var (line, args) in commands)
        {
            var errors = SamplesCli.Check(args);
            Assert.True(errors.Count == 0, $"{page}: '{line}' is refused: {string.Join("; ", errors)}");
        }
    }

    [Fact]
    public void Every_sample_has_a_page_and_the_readme_lists_it()
    {
        var readme = File.ReadAllText(Path.Combine(SamplePage.Root, "README.md"));
        foreach (var sample in SamplesCli.Samples)
        {
            Assert.True(File.Exists(Path.Combine(SamplePage.Root, "docs", "samples", sample.Name + ".md")), $"expected docs/samples/{sample.Name}.md for the {sample.Name} sample, found none");
            Assert.Contains($"| {sample.Name} |", readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_misspelt_command_is_caught()
    {
        Assert.NotEmpty(SamplesCli.Check(["rewards", "--faults-per-sec", "3"]));
        Assert.NotEmpty(SamplesCli.Check(["bakery"]));
        Assert.Empty(SamplesCli.Check(["rewards", "--no-live", "--duration", "5s"]));
    }

    /// <summary>
    /// The sample command lines of a page: whole lines in code blocks, and commands in backticks in its text
    /// (the README's table writes <c>... -- rewards</c> for the command with its project).
    /// </summary>
    private static IEnumerable<(string Line, string[] Args)> Commands(string markdown)
    {
        foreach (var (_, lines) in SamplePage.Blocks(markdown))
        {
            foreach (var line in lines.Where(l => l.TrimStart().StartsWith(SamplePage.Command, StringComparison.Ordinal)))
            {
                yield return (line.Trim(), SamplePage.CommandArgs(line.Trim(), line));
            }
        }

        foreach (Match m in InlineCommand().Matches(markdown))
        {
            var command = m.Groups[1].Value.Replace("... ", SamplePage.Command + " ", StringComparison.Ordinal);
            yield return (m.Value, SamplePage.CommandArgs(command, m.Value));
        }
    }

    [GeneratedRegex(@"`(dotnet run --project src/Supervise\.Samples(?: [^`]*)?|\.\.\. -- [^`]*)`")]
    private static partial Regex InlineCommand();
}

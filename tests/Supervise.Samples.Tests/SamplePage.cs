using System.Text.RegularExpressions;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>
/// What a sample's page in <c>docs/samples</c> shows, read so a test can hold the page to the sample: its typical
/// run (a <c>bash</c> block with one <c>--no-live</c> command, then the lines it printed) and its tree, if it draws
/// one (a block with <c>├──</c> and <c>└──</c>).
/// </summary>
internal sealed partial record SamplePage(string Path, IReadOnlyList<string> Args, IReadOnlyList<string> Printed, IReadOnlyList<SamplePage.TreeNode> Tree)
{
    /// <summary>The command every documented sample command line starts with.</summary>
    public const string Command = "dotnet run --project src/Supervise.Samples";

    /// <summary>One node of a page's tree: its path from the root (ids joined by '/') and the words written after it.</summary>
    public sealed record TreeNode(string Path, string Notes);

    /// <summary>The repository's root, found from the test's directory.</summary>
    public static string Root { get; } = FindRoot();

    public static SamplePage Of(string sample)
    {
        var path = System.IO.Path.Combine("docs", "samples", sample + ".md");
        var blocks = Blocks(File.ReadAllText(System.IO.Path.Combine(Root, path))).ToList();

        var run = blocks.FindIndex(b => b.Language == "bash" && b.Lines.Count == 1 && b.Lines[0].Contains(" --no-live", StringComparison.Ordinal));
        Assert.True(run >= 0 && run + 1 < blocks.Count, $"{path}: expected its typical run, a bash block with one '{Command} -- {sample} --no-live ...' line followed by the lines it printed; found none");
        var printed = blocks[run + 1];
        Assert.True(printed.Language == "" && printed.Lines.Count > 0 && printed.Lines.All(l => l.StartsWith("kind=", StringComparison.Ordinal)), $"{path}: expected the typical run's command to be followed by a plain block of the kind=... lines it printed, received:\n{string.Join('\n', printed.Lines)}");

        // The cluster sample's page draws nodes, not a tree: a page without a drawn tree has nothing to check there.
        var tree = blocks.Find(b => b.Language == "" && b.Lines.Exists(l => l.Contains("── ", StringComparison.Ordinal))).Lines;
        return new SamplePage(path, CommandArgs(blocks[run].Lines[0], path), printed.Lines, tree is null ? [] : TreeNodes(tree).ToList());
    }

    /// <summary>The arguments after <c>--</c> in a documented command line (empty when it has none: the tour).</summary>
    public static string[] CommandArgs(string line, string where)
    {
        var text = line.Split('#')[0].Trim();
        Assert.True(text.StartsWith(Command, StringComparison.Ordinal), $"{where}: expected a command starting with '{Command}', received '{line}'");
        var rest = text[Command.Length..].Trim();
        if (rest.Length == 0)
        {
            return [];
        }

        Assert.True(rest.StartsWith("--", StringComparison.Ordinal), $"{where}: expected '--' before the sample's arguments, received '{line}'");
        return rest[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A line with its numbers replaced by '#': what stays the same from one run to the next.</summary>
    public static string Shape(string line) => Numbers().Replace(line.Trim(), "#");

    /// <summary>Fenced blocks of a markdown text: their language (empty for none) and lines.</summary>
    public static IEnumerable<(string Language, List<string> Lines)> Blocks(string markdown)
    {
        var lines = markdown.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var block = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                block.Add(lines[i]);
            }

            yield return (language, block);
        }
    }

    /// <summary>
    /// A drawn tree's nodes: the first line is the root; each other line's depth is where its "── " stands
    /// (four columns a level), its id the first word after it, its notes the rest.
    /// </summary>
    private static IEnumerable<TreeNode> TreeNodes(List<string> lines)
    {
        var ids = new List<string> { FirstWord(lines[0], out var rootNotes) };
        yield return new TreeNode(ids[0], rootNotes);
        foreach (var line in lines.Skip(1))
        {
            var mark = line.IndexOf("── ", StringComparison.Ordinal);
            if (mark < 0)
            {
                continue;
            }

            var depth = (mark - 1) / 4 + 1;
            Assert.True(depth <= ids.Count, $"a tree line is nested deeper than the line before it allows: '{line}'");
            ids.RemoveRange(depth, ids.Count - depth);
            ids.Add(FirstWord(line[(mark + 3)..], out var notes));
            yield return new TreeNode(string.Join('/', ids), notes);
        }
    }

    private static string FirstWord(string text, out string rest)
    {
        var trimmed = text.Trim();
        var end = trimmed.IndexOf(' ', StringComparison.Ordinal);
        rest = end < 0 ? "" : trimmed[end..].Trim();
        return end < 0 ? trimmed : trimmed[..end];
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Supervise.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"expected Supervise.sln in a parent of {AppContext.BaseDirectory}, found none");
    }

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex Numbers();
}

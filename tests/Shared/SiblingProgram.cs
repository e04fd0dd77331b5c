namespace Supervise.Tests.Common;

/// <summary>A program a test project starts as a real process, built with the solution beside the test project's output.</summary>
public static class SiblingProgram
{
    /// <summary>The path of <paramref name="program"/>'s assembly, in the output folder that mirrors <paramref name="testProject"/>'s.</summary>
    public static string Path(Type testType, string testProject, string program)
    {
        var here = System.IO.Path.GetDirectoryName(testType.Assembly.Location)!;
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(here.Replace(testProject, program, StringComparison.Ordinal), program + ".dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException($"{program} was not built: expected {path}.");
    }
}

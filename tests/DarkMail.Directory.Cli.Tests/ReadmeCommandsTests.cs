// Issue 13: the README runs dmd directly (installed as a tool). Every dmd command in its
// code blocks must parse against dmd's command line as it is: a renamed verb or option, or a
// missing required one, fails here instead of in a newcomer's terminal. (The commands were
// also run by hand against a real server; see spec/cli.md §9 for the install.)
using System.Text.RegularExpressions;

namespace DarkMail.Directory.Cli.Tests;

public partial class ReadmeCommandsTests
{
    [Fact]
    public void Readme_EveryDmdCommand_ParsesWithoutError()
    {
        var commands = DmdCommands(File.ReadAllText(Path.Combine(RepositoryFolder.Root, "README.md"))).ToList();
        var root = DmdApp.CreateRoot(new DmdContext(TextWriter.Null, TextWriter.Null));

        // The walk-through, GnuPG, watchdog, monitor, federation and bench sections all use dmd.
        Assert.True(commands.Count >= 25, $"only {commands.Count} dmd commands found in README.md");
        foreach (var verb in (string[])["admin enroll", "admin reset", "key new", "publish", "rotate", "lookup", "log verify", "audit", "monitor", "openpgp", "key export-openpgp"])
        {
            Assert.Contains(commands, c => string.Join(' ', c).StartsWith(verb, StringComparison.Ordinal));
        }

        Assert.All(commands, args =>
        {
            var errors = root.Parse(args).Errors;
            Assert.True(errors.Count == 0, $"dmd {string.Join(' ', args)}: {string.Join("; ", errors.Select(e => e.Message))}");
        });
    }

    /// <summary>The arguments of every `dmd …` in the README's indented code blocks (continuations joined, comments and pipes cut).</summary>
    private static IEnumerable<string[]> DmdCommands(string readme)
    {
        var joined = readme.Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var line in joined.Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal)))
        {
            foreach (Match m in DmdCall().Matches(line))
            {
                var text = m.Groups[1].Value;
                text = Cut(Cut(Cut(text, " #"), " |"), " >");
                text = Cut(Cut(text, " ||"), ")");
                var words = Regex.Matches(text, "\"[^\"]*\"|'[^']*'|\\S+").Select(w => w.Value.Trim('"', '\'')).ToArray();
                if (words.Length > 0)
                {
                    yield return words;
                }
            }
        }
    }

    private static string Cut(string text, string at)
    {
        var i = text.IndexOf(at, StringComparison.Ordinal);
        return i < 0 ? text : text[..i];
    }

    [GeneratedRegex(@"(?:^|[\s(;*])dmd ((?!bench crash)[a-z].*?)(?:;|$)")]
    private static partial Regex DmdCall();
}

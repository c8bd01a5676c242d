// spec/cli.md §2.6 "Without --state": a lookup without a state folder keeps nothing, so its
// check lines must not say "kept for next time" (issue 13). The verifier's lines speak of the
// in-memory state every run has; without --state that state dies with the run, and these
// lines say so instead, followed by one line on how to keep it.
using System.Text.RegularExpressions;

namespace DarkMail.Directory.Cli.Commands;

internal static partial class Unkept
{
    /// <summary>The line a lookup without --state prints after its checks.</summary>
    public const string Line = "state: none given, nothing kept (add --state DIR to keep the POK, checkpoint and version and check the next answer against them)";

    /// <summary>The check lines, reworded when nothing is kept (no --state).</summary>
    public static List<string> Reword(IEnumerable<string> checks, bool keeps) =>
        keeps ? [.. checks] : [.. checks.Select(Reword)];

    private static string Reword(string check)
    {
        check = check.Replace(" kept for next time", " (not kept: no --state)", StringComparison.Ordinal)
            .Replace("(trusted on first use)", "(trusted on first use, not kept: no --state)", StringComparison.Ordinal);
        check = Keeping().Replace(check, "; not kept (no --state)");
        return Pinning().Replace(check, "; not pinned (no --state)");
    }

    [GeneratedRegex("; keeping size [0-9]+")]
    private static partial Regex Keeping();

    [GeneratedRegex("; pinning [0-9]+")]
    private static partial Regex Pinning();
}

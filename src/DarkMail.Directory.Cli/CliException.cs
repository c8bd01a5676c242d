// spec/cli.md "Output": a failure that ends the command with an exit code, a stable code
// and a one-line reason (and, for a fork, its evidence).
using DarkMail.Directory.Client.Verification;

namespace DarkMail.Directory.Cli;

public sealed class CliException : Exception
{
    public CliException(int exitCode, string code, string message)
        : base(message.ReplaceLineEndings(" "))
    {
        ExitCode = exitCode;
        Code = code;
    }

    public CliException()
        : this(ExitCodes.Internal, "internal", "internal error")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Internal, "internal", message)
    {
    }

    public CliException(string message, Exception inner)
        : base(message, inner)
    {
        ExitCode = ExitCodes.Internal;
        Code = "internal";
    }

    public int ExitCode { get; }

    public string Code { get; }

    /// <summary>For <c>verify.checkpoint-inconsistent</c>: both checkpoints and the proof, printed with --json.</summary>
    public ForkEvidence? Evidence { get; init; }

    public static CliException Usage(string code, string message) => new(ExitCodes.Usage, code, message);
}

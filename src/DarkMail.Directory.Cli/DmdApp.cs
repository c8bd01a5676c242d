// spec/cli.md: the `dmd` command line. Parsing is System.CommandLine's; every action runs
// through Run, which turns each kind of failure into its exit code and one line
// "dmd: <code>: <reason>" on standard error (and, with --json, a JSON object on standard
// output), so no stack trace ever reaches a user.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Cli;

public static class DmdApp
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON object on standard output instead of text.",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, DmdContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var parse = CreateRoot(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word explains more than the missing command it caused.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal));
            var error = new CliException(ExitCodes.Usage, "usage", first?.Message ?? MissingVerb(parse) ?? parse.Errors[0].Message);
            Report(context, parse.GetValue(Json), error);
            return error.ExitCode;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Err }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command line: every verb with its options and action (the README's commands are checked against it).</summary>
    internal static RootCommand CreateRoot(DmdContext context)
    {
        var root = new RootCommand("dmd: keys, lookups and log checks for DarkMail Directory (spec/cli.md).");
        root.Options.Add(Json);
        root.Subcommands.Add(KeyCommands.Create(context));
        root.Subcommands.Add(AdminCommands.Create(context));
        root.Subcommands.Add(SubmitCommands.CreatePublish(context));
        root.Subcommands.Add(SubmitCommands.CreateRotate(context));
        root.Subcommands.Add(SubmitCommands.CreateRevoke(context));
        root.Subcommands.Add(LookupCommand.Create(context));
        root.Subcommands.Add(OpenPgpCommand.Create(context));
        root.Subcommands.Add(LogCommands.Create(context));
        root.Subcommands.Add(BenchCommands.Create(context));
        root.Subcommands.Add(AuditCommand.Create(context));
        root.Subcommands.Add(MonitorCommand.Create(context));
        return root;
    }

    /// <summary>
    /// A bare `dmd` (or `dmd key`, `dmd log` …) names the verbs it takes and points to --help
    /// (spec/cli.md §3), instead of the parser's "Required command was not provided".
    /// </summary>
    private static string? MissingVerb(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Subcommands.Count == 0 || parse.CommandResult.Children.Any(c => c is System.CommandLine.Parsing.CommandResult))
        {
            return null;
        }

        var path = command is RootCommand ? "dmd" : "dmd " + string.Join(' ', Path(parse.CommandResult));
        return $"no verb given: {path} <verb> [options], verbs: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}; run {path} --help for what each does";

        static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result) =>
            result.Parent is System.CommandLine.Parsing.CommandResult parent && parent.Command is not RootCommand
                ? Path(parent).Append(result.Command.Name)
                : [result.Command.Name];
    }

    /// <summary>Runs an action body, mapping every failure to its exit code and one-line reason.</summary>
    public static async Task<int> Run(DmdContext context, ParseResult parse, Func<Output, Task> body)
    {
        var json = parse.GetValue(Json);
        var output = new Output(context.Out, json);
        try
        {
            await body(output).ConfigureAwait(false);
            return output.ExitCode;
        }
        catch (Exception e) when (Classify(e) is { } failure)
        {
            if (failure.ExitCode == ExitCodes.Internal && Environment.GetEnvironmentVariable("DMD_DEBUG") == "1")
            {
                context.Err.WriteLine(e.ToString());
            }

            Report(context, json, failure);
            return failure.ExitCode;
        }
    }

    private static CliException? Classify(Exception e) => e switch
    {
        CliException c => c,
        KeyFileException k => new CliException(ExitCodes.KeyFile, k.Code, k.Message),
        DirectoryProblemException p => new CliException(ExitCodes.Refused, p.Code + (p.FormatCode is null ? string.Empty : $" ({p.FormatCode})"), p.Message),
        // A static host that served an altered tile (spec/log-tiles.md §6) failed verification.
        DirectoryHttpException { Code: "tiles.static-mismatch" } h => new CliException(ExitCodes.VerificationFailed, h.Code, h.Message),
        DirectoryHttpException h => new CliException(ExitCodes.Network, h.Code, Explain(h)),
        InvalidFormatException f => new CliException(ExitCodes.Network, f.Code, f.Message),
        ClientStateException s => new CliException(ExitCodes.State, "state.unreadable", s.Message),
        IOException or UnauthorizedAccessException => new CliException(ExitCodes.State, "io", e.Message),
        OperationCanceledException => new CliException(ExitCodes.Cancelled, "cancelled", "interrupted"),
        _ => new CliException(ExitCodes.Internal, "internal", $"{e.GetType().Name}: {e.Message}"),
    };

    /// <summary>
    /// A connection failure's own reason: .NET's "… see inner exception." says nothing, so the
    /// inner exceptions' messages are named, and a TLS handshake that failed says what usually
    /// causes it, https:// against a port that speaks plain HTTP (issue 13).
    /// </summary>
    internal static string Explain(DirectoryHttpException e)
    {
        var message = e.Message;
        if (e.InnerException is not { } inner)
        {
            return message;
        }

        var reasons = new List<string>();
        var tls = false;
        for (var cause = inner; cause is not null; cause = cause.InnerException)
        {
            tls |= cause is System.Security.Authentication.AuthenticationException;
            var text = cause.Message.ReplaceLineEndings(" ").Trim();
            if (text.Length > 0 && !message.Contains(text, StringComparison.Ordinal) && !text.Contains("inner exception", StringComparison.OrdinalIgnoreCase))
            {
                reasons.Add(text.TrimEnd('.'));
            }
        }

        message = message.Replace(" See the inner exception for details.", string.Empty, StringComparison.OrdinalIgnoreCase)
            .Replace(", see inner exception.", string.Empty, StringComparison.OrdinalIgnoreCase)
            .Replace(" see inner exception.", string.Empty, StringComparison.OrdinalIgnoreCase)
            .TrimEnd('.', ' ');
        if (reasons.Count > 0)
        {
            message += ": " + string.Join(": ", reasons);
        }

        return tls
            ? message + "; TLS handshake failed: is the server speaking plain HTTP? try http:// instead of https://"
            : message;
    }

    private static void Report(DmdContext context, bool json, CliException failure)
    {
        context.Err.WriteLine($"dmd: {failure.Code}: {failure.Message}");
        if (json)
        {
            var node = new JsonObject
            {
                ["ok"] = false,
                ["code"] = failure.Code,
                ["message"] = failure.Message,
                ["exit_code"] = failure.ExitCode,
            };
            if (failure.Evidence is { } evidence)
            {
                node["evidence"] = LookupCommand.EvidenceJson(evidence);
            }

            context.Out.WriteLine(node.ToJsonString(Output.JsonOptions));
        }
    }
}

/// <summary>Where an action writes its result: text lines, or one JSON object with --json.</summary>
public sealed class Output
{
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter writer;

    public Output(TextWriter writer, bool json)
    {
        this.writer = writer;
        IsJson = json;
    }

    public bool IsJson { get; }

    /// <summary>The exit code the action ends with when it returns normally.</summary>
    public int ExitCode { get; set; }

    /// <summary>Writes <paramref name="text"/> in text mode, or <paramref name="json"/> (with "ok") in JSON mode.</summary>
    public void Result(string text, JsonObject json, bool ok = true)
    {
        if (IsJson)
        {
            var node = new JsonObject { ["ok"] = ok };
            foreach (var (key, value) in json)
            {
                node[key] = value?.DeepClone();
            }

            writer.WriteLine(node.ToJsonString(JsonOptions));
        }
        else
        {
            writer.WriteLine(text);
        }
    }
}

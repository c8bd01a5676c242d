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

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word explains more than the missing command it caused.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            var error = new CliException(ExitCodes.Usage, "usage", first.Message);
            Report(context, parse.GetValue(Json), error);
            return error.ExitCode;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Err }, cancellationToken).ConfigureAwait(false);
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
        DirectoryHttpException h => new CliException(ExitCodes.Network, h.Code, h.Message),
        InvalidFormatException f => new CliException(ExitCodes.Network, f.Code, f.Message),
        ClientStateException s => new CliException(ExitCodes.State, "state.unreadable", s.Message),
        IOException or UnauthorizedAccessException => new CliException(ExitCodes.State, "io", e.Message),
        OperationCanceledException => new CliException(ExitCodes.Cancelled, "cancelled", "interrupted"),
        _ => new CliException(ExitCodes.Internal, "internal", $"{e.GetType().Name}: {e.Message}"),
    };

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

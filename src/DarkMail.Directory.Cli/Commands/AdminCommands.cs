// spec/cli.md "admin enroll", "admin reset": one-time codes from the directory's admin API.
// Without --json the code alone goes to standard output, so `code=$(dmd admin enroll ...)` works.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DarkMail.Directory.Cli.Commands;

internal static class AdminCommands
{
    public static Command Create(DmdContext context) =>
        new("admin", "Administrator's one-time codes.")
        {
            CreateCode(context, "enroll", "Create a one-time code that lets ADDR publish its version 1.", reset: false),
            CreateCode(context, "reset", "Create a one-time code that authorises one reset of ADDR.", reset: true),
        };

    private static Command CreateCode(DmdContext context, string name, string description, bool reset)
    {
        var address = new Argument<string>("ADDR") { Description = "The address." };
        var server = CommonOptions.Server();
        var tokenFile = new Option<string>("--token-file") { Description = "File holding the admin bearer token.", Required = true };
        var ttl = new Option<int?>("--ttl") { Description = "Lifetime of the code in seconds (server default when absent)." };
        var command = new Command(name, description) { address, server, tokenFile, ttl };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var normalised = CommonOptions.ParseAddress(parse.GetValue(address)!);
            var token = CommonOptions.ReadToken(parse.GetValue(tokenFile)!);
            if (parse.GetValue(ttl) is <= 0)
            {
                throw CliException.Usage("usage.ttl", "--ttl must be a positive number of seconds");
            }

            using var session = new Session(context, parse.GetValue(server)!, null);
            var answer = reset
                ? await session.Client.CreateResetAsync(normalised.ToString(), token, parse.GetValue(ttl), ct).ConfigureAwait(false)
                : await session.Client.CreateEnrollmentAsync(normalised.ToString(), token, parse.GetValue(ttl), ct).ConfigureAwait(false);
            output.Result(answer.Code, new JsonObject
            {
                ["address"] = answer.Address,
                ["code"] = answer.Code,
                ["kind"] = reset ? "reset" : "enrollment",
                ["expires"] = answer.Expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
        }));
        return command;
    }
}

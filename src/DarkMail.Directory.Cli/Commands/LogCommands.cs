// spec/cli.md "log checkpoint", "log verify": the log as a whole. checkpoint fetches
// /log/checkpoint and verifies it under the trusted descriptor's log key (and, with
// --state, its consistency with the kept one); verify recomputes the root from every
// entry and tile (Client LogVerifier), checks the kept checkpoint is a prefix, and keeps
// the new one.
using System.CommandLine;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Verification;

namespace DarkMail.Directory.Cli.Commands;

internal static class LogCommands
{
    public static Command Create(DmdContext context) => new("log", "Check the directory's transparency log.")
    {
        CreateCheckpoint(context),
        CreateVerify(context),
    };

    private static Command CreateCheckpoint(DmdContext context)
    {
        var server = CommonOptions.Server();
        var pok = new Option<string?>("--pok") { Description = "Trust only this POK (base64) for the descriptor." };
        var state = CommonOptions.State();
        var command = new Command("checkpoint", "Print the log's current checkpoint after verifying its signature.") { server, pok, state };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state))
            {
                WitnessPolicy = parse.GetValue(state) is { } folder ? WitnessPolicyOptions.Load(folder) : null,
            };
            var givenPok = parse.GetValue(pok) is { } text ? CommonOptions.ParsePok(text) : null;
            var directory = await session.TrustAsync(null, givenPok, ct).ConfigureAwait(false);
            var checkpoint = await VerifiedCheckpointAsync(session, directory, ct).ConfigureAwait(false);
            var checks = new List<string> { session.TrustMessage!, checkpoint.Message, session.WitnessedLine };
            if (parse.GetValue(state) is not null)
            {
                var kept = session.KeptBeforeTrust;
                var consistency = await CheckpointConsistency.CheckAsync(kept, checkpoint.Note!, session.Client, ct).ConfigureAwait(false);
                if (!consistency.IsConsistent)
                {
                    session.Save();
                    throw new CliException(ExitCodes.VerificationFailed, consistency.Failure.Code()!, consistency.Message);
                }

                checks.Add(consistency.Message);
                if (consistency.NewKept is { } advanced)
                {
                    session.State.Checkpoints[directory.LogOrigin] = advanced;
                }

                session.Save();
            }

            var note = checkpoint.Note!.ToString();
            output.Result(note.TrimEnd('\n'), new JsonObject
            {
                ["origin"] = checkpoint.Checkpoint!.Origin,
                ["size"] = checkpoint.Checkpoint.Size,
                ["root_hash"] = Convert.ToBase64String(checkpoint.Checkpoint.RootHash),
                ["note"] = note,
                ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)c)]),
            });
        }));
        return command;
    }

    private static Command CreateVerify(DmdContext context)
    {
        var server = CommonOptions.Server();
        var state = new Option<string>("--state") { Description = "State folder: the kept checkpoint is checked and advanced.", Required = true };
        var pok = new Option<string?>("--pok") { Description = "Trust only this POK (base64) for the descriptor." };
        var witness = WitnessPolicyOptions.Witness();
        var quorum = WitnessPolicyOptions.Quorum();
        var command = new Command("verify", "Recompute the checkpoint's root from all tiles and entries and check consistency with the kept checkpoint.") { server, state, pok, witness, quorum };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var policy = WitnessPolicyOptions.Resolve(parse.GetValue(witness), parse.GetValue(quorum), parse.GetValue(state));
            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state)) { WitnessPolicy = policy };
            var givenPok = parse.GetValue(pok) is { } text ? CommonOptions.ParsePok(text) : null;
            var directory = await session.TrustAsync(null, givenPok, ct).ConfigureAwait(false);
            var checkpoint = await VerifiedCheckpointAsync(session, directory, ct).ConfigureAwait(false);
            var tree = await LogVerifier.VerifyTreeAsync(checkpoint.Checkpoint!, checkpoint.Note!.ToString(), session.Client, session.KeptBeforeTrust, ct).ConfigureAwait(false);
            if (!tree.IsValid)
            {
                await session.ThrowIfStaticMismatchAsync(ct).ConfigureAwait(false);
                session.Save();
                throw new CliException(ExitCodes.VerificationFailed, tree.Code!, tree.Message);
            }

            if (tree.NewKept is { } advanced)
            {
                session.State.Checkpoints[directory.LogOrigin] = advanced;
            }

            session.Save();
            var checks = new List<string> { session.TrustMessage!, checkpoint.Message, tree.Message };
            if (session.StaticTilesLine is { } tiles)
            {
                checks.Add(tiles);
            }

            output.Result(
                string.Join("\n", checks.Select(c => "ok    " + c)),
                new JsonObject
                {
                    ["origin"] = directory.LogOrigin,
                    ["size"] = checkpoint.Checkpoint!.Size,
                    ["root_hash"] = Convert.ToBase64String(checkpoint.Checkpoint.RootHash),
                    ["entries_checked"] = tree.EntriesChecked,
                    ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)c)]),
                    ["static_tiles_read"] = session.Client.StaticTilesRead,
                    ["static_tile_fallbacks"] = new JsonArray([.. session.Client.StaticFallbacks.Select(f => (JsonNode)f.Message)]),
                });
        }));
        return command;
    }

    private static async Task<CheckpointVerification> VerifiedCheckpointAsync(Session session, TrustedDirectory directory, CancellationToken ct)
    {
        var bytes = await session.Client.GetCheckpointAsync(ct).ConfigureAwait(false);
        var checkpoint = LogVerifier.VerifyCheckpoint(directory, bytes, session.EffectivePolicy);
        return checkpoint.IsValid ? checkpoint : throw new CliException(ExitCodes.VerificationFailed, checkpoint.Code!, checkpoint.Message);
    }
}

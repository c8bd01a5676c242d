// spec/cli.md "publish", "rotate", "revoke": build a signet on the user's side (private
// keys never leave this process), sign it, and submit it (POST /v1/keys). Rotations and
// revocations start from a verified lookup of the current version: its hash is the new
// previous-hash and its label what the custody signature covers. With --wait the answer
// (signet with the org signature, leaf, proof) is verified like a lookup before success.
// A key file with an OpenPGP certificate publishes it: the signet commits to it (field 0x09)
// and the submission carries it (spec/openpgp.md); a rotation publishes the new key file's
// certificate, a revocation the current one with a key revocation signature.
using System.CommandLine;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.OpenPgp;

namespace DarkMail.Directory.Cli.Commands;

internal static class SubmitCommands
{
    public const int DefaultValidDays = 365;

    public static Command CreatePublish(DmdContext context)
    {
        var key = new Option<string>("--key") { Description = "The key file to publish.", Required = true };
        var server = CommonOptions.Server();
        var code = new Option<string?>("--code") { Description = "Enrollment code: publish version 1." };
        var resetCode = new Option<string?>("--reset-code") { Description = "Reset code: publish the next version without custody." };
        var wait = CommonOptions.Wait();
        var passphrase = CommonOptions.PassphraseFile();
        var state = CommonOptions.State();
        var valid = ValidDays();
        var command = new Command("publish", "Publish a key file's keys: version 1 with --code, or after a reset with --reset-code.")
        {
            key, server, code, resetCode, wait, passphrase, state, valid,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(code) is null) == (result.GetValue(resetCode) is null))
            {
                result.AddError("exactly one of --code and --reset-code is required");
            }
        });
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var days = CheckDays(parse.GetValue(valid));
            using var keys = LoadKey(parse.GetValue(key)!, parse.GetValue(passphrase));
            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state));
            await session.TrustAsync(keys.Address.Domain, null, ct).ConfigureAwait(false);
            UnsignedSignet unsigned;
            string submitCode;
            if (parse.GetValue(code) is { } enrollment)
            {
                unsigned = Fill(new SignetBuilder { Address = keys.Address, Version = 1 }, keys, session.Now, days).Build();
                submitCode = enrollment;
            }
            else
            {
                // A reset starts from the current version, whatever key it has: verify the answer, not its custody.
                var current = await session.LookupAsync(keys.Address, acceptReset: true, ct).ConfigureAwait(false);
                unsigned = Fill(SignetBuilder.After(current.Signet!), keys, session.Now, days).Build();
                submitCode = parse.GetValue(resetCode)!;
            }

            try
            {
                await SubmitAsync(session, output, keys.Address, unsigned.SignUser(keys.SigningKey), keys.OpenPgpCertificate, submitCode, parse.GetValue(wait), "published", ct).ConfigureAwait(false);
            }
            catch (DirectoryProblemException e) when (e.Name == "version-conflict" && unsigned.Version == 1)
            {
                // Issue 13: say what happened and what to do; the code was never looked at.
                throw new CliException(ExitCodes.Refused, e.Code,
                    $"{keys.Address} is already published; publish --code makes only its first version, and the enrollment code was not checked. " +
                    $"To change its keys: dmd key new --address {keys.Address} --out NEW.key, then dmd rotate --key CURRENT.key --new-key NEW.key --server {session.Client.BaseUrl.AbsoluteUri} " +
                    "(or, without the current key, publish --reset-code with a reset code from the administrator)");
            }
        }));
        return command;
    }

    public static Command CreateRotate(DmdContext context)
    {
        var key = new Option<string>("--key") { Description = "The current key file.", Required = true };
        var newKey = new Option<string>("--new-key") { Description = "The key file with the new keys (dmd key new).", Required = true };
        var server = CommonOptions.Server();
        var wait = CommonOptions.Wait();
        var passphrase = CommonOptions.PassphraseFile();
        var newPassphrase = CommonOptions.PassphraseFile("--new-passphrase-file");
        var state = CommonOptions.State();
        var valid = ValidDays();
        var command = new Command("rotate", "Replace the published keys by a new key file's, signed in custody by the current key.")
        {
            key, newKey, server, wait, passphrase, newPassphrase, state, valid,
        };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var days = CheckDays(parse.GetValue(valid));
            using var oldKeys = LoadKey(parse.GetValue(key)!, parse.GetValue(passphrase));
            using var newKeys = LoadKey(parse.GetValue(newKey)!, parse.GetValue(newPassphrase));
            if (oldKeys.Address != newKeys.Address)
            {
                throw new CliException(ExitCodes.KeyFile, "keyfile.address-mismatch", $"--key is for {oldKeys.Address}, --new-key for {newKeys.Address}");
            }

            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state));
            await session.TrustAsync(oldKeys.Address.Domain, null, ct).ConfigureAwait(false);
            var current = await CurrentOwnedAsync(session, oldKeys, ct).ConfigureAwait(false);
            var unsigned = Fill(SignetBuilder.After(current.Signet!), newKeys, session.Now, days).Build()
                .SignCustody(oldKeys.SigningKey, current.Answer.Label);
            await SubmitAsync(session, output, oldKeys.Address, unsigned.SignUser(newKeys.SigningKey), newKeys.OpenPgpCertificate, null, parse.GetValue(wait), "rotated", ct).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command CreateRevoke(DmdContext context)
    {
        var key = new Option<string>("--key") { Description = "The current key file.", Required = true };
        var server = CommonOptions.Server();
        var wait = CommonOptions.Wait();
        var passphrase = CommonOptions.PassphraseFile();
        var state = CommonOptions.State();
        var command = new Command("revoke", "Revoke the address's keys, signed in custody by the current key.") { key, server, wait, passphrase, state };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            using var keys = LoadKey(parse.GetValue(key)!, parse.GetValue(passphrase));
            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state));
            await session.TrustAsync(keys.Address.Domain, null, ct).ConfigureAwait(false);
            var current = await CurrentOwnedAsync(session, keys, ct).ConfigureAwait(false);
            if (current.Signet!.IsRevoked)
            {
                throw new CliException(ExitCodes.Refused, "revoked", $"{keys.Address} is already revoked");
            }

            var builder = SignetBuilder.After(current.Signet);
            builder.Revoked = true;
            builder.Created = (ulong)session.Now.ToUnixTimeSeconds();
            builder.Expires = Math.Max(current.Signet.Expires, builder.Created + 1);

            // The published certificate, if it is this key file's, gets a key revocation signature so
            // OpenPGP clients stop using it; otherwise the revocation commits to no certificate.
            var revokedCertificate = keys.OpenPgpCertificate is { } certificate && current.Signet.HasOpenPgp
                && OpenPgpCertificate.MatchesCommitment(current.Signet, certificate)
                ? keys.RevokeOpenPgp(session.Now)
                : null;
            builder.OpenPgp = revokedCertificate is null ? null : OpenPgpCertificate.Commitment(revokedCertificate);
            var unsigned = builder.Build().SignCustody(keys.SigningKey, current.Answer.Label);
            await SubmitAsync(session, output, keys.Address, unsigned.SignUser(keys.SigningKey), revokedCertificate, null, parse.GetValue(wait), "revoked", ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Option<int> ValidDays() => new("--valid-days")
    {
        Description = $"Days until the new signet expires (default {DefaultValidDays}).",
        DefaultValueFactory = _ => DefaultValidDays,
    };

    private static int CheckDays(int days) =>
        days is >= 1 and <= 3660 ? days : throw CliException.Usage("usage.valid-days", "--valid-days must be between 1 and 3660");

    private static KeyFile LoadKey(string path, string? passphraseFile) =>
        KeyFile.Load(path, passphraseFile is null ? null : KeyFile.ReadPassphrase(passphraseFile));

    private static SignetBuilder Fill(SignetBuilder builder, KeyFile keys, DateTimeOffset now, int days)
    {
        builder.SigningKey = keys.SigningPublicKey;
        builder.EncryptionKey = keys.EncryptionPublicKey;
        builder.Created = (ulong)now.ToUnixTimeSeconds();
        builder.Expires = builder.Created + ((ulong)days * 86400);
        builder.Revoked = false;
        builder.OpenPgp = keys.OpenPgpCommitment;
        return builder;
    }

    /// <summary>The verified current version, which must be signed by this key file's signing key.</summary>
    private static async Task<KeyVerification> CurrentOwnedAsync(Session session, KeyFile keys, CancellationToken ct)
    {
        var current = await session.LookupAsync(keys.Address, acceptReset: false, ct).ConfigureAwait(false);
        if (!current.Signet!.SigningKey.SequenceEqual(keys.SigningPublicKey))
        {
            throw new CliException(ExitCodes.KeyFile, "keyfile.not-current", $"the key file's signing key is not the one of {keys.Address} version {current.Signet.Version}");
        }

        return current;
    }

    private static async Task SubmitAsync(
        Session session, Output output, Address address, UnsignedSignet signet, byte[]? certificate, string? code, bool wait, string verb, CancellationToken ct)
    {
        var result = await session.Client.SubmitAsync(new SubmitRequest(signet.ToArray(), code, certificate), wait, ct).ConfigureAwait(false);
        if (result.Key is { } answer)
        {
            var verification = await session.VerifyAsync(address, answer, ct).ConfigureAwait(false);
            // Our own submission: a reset is expected after --reset-code, so only other failures count.
            if (!verification.IsValid && !verification.IsReset)
            {
                throw new CliException(ExitCodes.VerificationFailed, verification.Code!, "the directory's answer does not verify: " + verification.Message);
            }

            if (verification.Signet!.Version != signet.Version || !verification.Signet.SigningKey.SequenceEqual(signet.SigningKey))
            {
                throw new CliException(ExitCodes.VerificationFailed, "verify.not-submitted", "the directory answered with another version than the one submitted");
            }

            verification.ApplyTo(session.State, acceptReset: true);
            session.Save();
            output.Result(
                $"{verb} {address} version {signet.Version}: leaf {answer.LeafIndex}, verified in a checkpoint",
                new JsonObject
                {
                    ["address"] = address.ToString(),
                    ["version"] = signet.Version,
                    ["status"] = answer.Status == KeyStatus.Revoked ? "revoked" : "active",
                    ["leaf_index"] = answer.LeafIndex,
                    ["checks"] = new JsonArray([.. verification.Checks.Select(c => (JsonNode)c)]),
                });
            return;
        }

        session.Save();
        output.Result(
            $"{verb} {address} version {signet.Version}: {result.Accepted!.Status}",
            new JsonObject
            {
                ["address"] = address.ToString(),
                ["version"] = signet.Version,
                ["status"] = result.Accepted.Status,
            });
    }
}

// spec/cli.md "key new": creates a user's signing (Ed25519) and encryption (X25519) keys
// in a new key file with mode 0600, sealed under a passphrase when one is given, and the
// user's OpenPGP certificate with its own two keys (spec/openpgp.md §2).
using System.CommandLine;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.OpenPgp;

namespace DarkMail.Directory.Cli.Commands;

internal static class KeyCommands
{
    public static Command Create(DmdContext context)
    {
        var address = new Option<string>("--address") { Description = "The address the keys are for.", Required = true };
        var output = new Option<string>("--out") { Description = "The key file to create (never overwritten).", Required = true };
        var passphrase = CommonOptions.PassphraseFile();
        var create = new Command("new", "Create a signing and an encryption key in a new key file.") { address, output, passphrase };
        create.SetAction((parse, ct) => DmdApp.Run(context, parse, result =>
        {
            var normalised = CommonOptions.ParseAddress(parse.GetValue(address)!);
            var path = parse.GetValue(output)!;
            var phrase = parse.GetValue(passphrase) is { } file ? KeyFile.ReadPassphrase(file) : null;
            using var keys = KeyFile.Generate(normalised, context.Time.GetUtcNow());
            keys.Save(path, phrase);
            var signing = Convert.ToBase64String(keys.SigningPublicKey);
            var encryption = Convert.ToBase64String(keys.EncryptionPublicKey);
            var fingerprint = OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(keys.OpenPgpCertificate!));
            result.Result(
                $"created {path} for {normalised}{(phrase is null ? string.Empty : " (encrypted)")}\nsigning key    {signing}\nencryption key {encryption}\nopenpgp        {fingerprint}",
                new JsonObject
                {
                    ["file"] = path,
                    ["address"] = normalised.ToString(),
                    ["encrypted"] = phrase is not null,
                    ["signing_key"] = signing,
                    ["encryption_key"] = encryption,
                    ["openpgp_fingerprint"] = fingerprint,
                });
            return Task.CompletedTask;
        }));

        return new Command("key", "Manage a user's key files.") { create };
    }
}

// spec/cli.md "key new": creates a user's signing (Ed25519) and encryption (X25519) keys
// in a new key file with mode 0600, sealed under a passphrase when one is given, and the
// user's OpenPGP certificate with its own two keys (spec/openpgp.md §2).
// spec/cli.md §2.1.1 "key export-openpgp": hands that OpenPGP key to GnuPG, the public
// certificate or (--secret) the transferable secret key, armoured; the secret key goes only
// where --out says, protected with the key file's passphrase (or --export-passphrase-file),
// in clear with a warning on stderr when the key file is not sealed.
using System.CommandLine;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Client.State;
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

        return new Command("key", "Manage a user's key files.") { create, CreateExportOpenPgp(context) };
    }

    private static Command CreateExportOpenPgp(DmdContext context)
    {
        var key = new Option<string>("--key") { Description = "The key file whose OpenPGP key is exported.", Required = true };
        var passphrase = CommonOptions.PassphraseFile();
        var secret = new Option<bool>("--secret") { Description = "Export the secret key, for gpg --import, instead of the public certificate (needs --out)." };
        var exportPassphrase = CommonOptions.PassphraseFile("--export-passphrase-file");
        exportPassphrase.Description = "Protect the exported secret key with this file's passphrase instead of the key file's.";
        var output = new Option<string?>("--out") { Description = "Write to this new file (mode 0600, never overwritten), or - for standard output." };
        var export = new Command("export-openpgp", "Export the key file's OpenPGP certificate, or its secret key, armoured for GnuPG.")
        {
            key, passphrase, secret, exportPassphrase, output,
        };
        export.SetAction((parse, ct) => DmdApp.Run(context, parse, result =>
        {
            var isSecret = parse.GetValue(secret);
            var path = parse.GetValue(output);
            var exportPhraseFile = parse.GetValue(exportPassphrase);
            if (exportPhraseFile is not null && !isSecret)
            {
                throw CliException.Usage("usage.export-passphrase", "--export-passphrase-file protects a secret key export: give it with --secret");
            }

            if (isSecret && path is null)
            {
                throw CliException.Usage("usage.out", "--secret writes the secret key only where --out says: a new file, or - for standard output");
            }

            if (path is not null && path != "-" && File.Exists(path))
            {
                throw new KeyFileException("keyfile.exists", $"{path} exists; dmd never overwrites a key");
            }

            var keyPath = parse.GetValue(key)!;
            var phrase = parse.GetValue(passphrase) is { } file ? KeyFile.ReadPassphrase(file) : null;
            var protection = exportPhraseFile is not null ? KeyFile.ReadPassphrase(exportPhraseFile) : null;
            using var keys = KeyFile.Load(keyPath, phrase);
            if (keys.OpenPgpCertificate is not { } certificate)
            {
                throw new KeyFileException("keyfile.no-openpgp", $"{keyPath} holds no OpenPGP key (made before dmd made them): create a new key file with dmd key new and rotate to it");
            }

            protection ??= keys.Sealed ? phrase : null;
            var fingerprint = OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate));
            var armored = OpenPgpCertificate.Armor(isSecret ? keys.ExportOpenPgpSecret(protection)! : certificate);
            if (isSecret && protection is null)
            {
                context.Err.WriteLine("dmd: warning: the secret key is exported without a passphrase (the key file is not sealed); give --export-passphrase-file to protect it");
            }

            var json = new JsonObject
            {
                ["address"] = keys.Address.ToString(),
                ["openpgp_fingerprint"] = fingerprint,
                ["secret"] = isSecret,
            };
            if (isSecret)
            {
                json["protected"] = protection is not null;
            }

            if (path is null or "-")
            {
                json["armored"] = armored;
                result.Result(armored.TrimEnd('\n'), json);
                return Task.CompletedTask;
            }

            AtomicFile.Write(path, System.Text.Encoding.ASCII.GetBytes(armored), overwrite: false);
            json["file"] = path;
            var what = !isSecret ? "certificate" : protection is null ? "secret key (not protected)" : "secret key (protected)";
            result.Result($"wrote {what} {fingerprint} to {path}", json);
            return Task.CompletedTask;
        }));
        return export;
    }
}

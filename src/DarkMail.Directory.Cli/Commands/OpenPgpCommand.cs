// spec/cli.md §2.13 "openpgp", issue 11 "The verified bridge": `dmd openpgp ADDR` runs
// `dmd lookup` itself (LookupCommand.RunAsync: every check, the state kept, discovery or
// --server), which includes step 6a, the certificate against the signet's commitment
// (field 0x09). Only then is the certificate handed on: armoured on stdout, or imported
// with `gpg --homedir DIR --import` (fed on stdin), whose status lines must name the
// verified fingerprint. An address without a key or without a certificate is refused.
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using DarkMail.Directory.OpenPgp;

namespace DarkMail.Directory.Cli.Commands;

internal static class OpenPgpCommand
{
    /// <summary>How long gpg may take to import one certificate.</summary>
    private static readonly TimeSpan GpgTimeout = TimeSpan.FromMinutes(2);

    public static Command Create(DmdContext context)
    {
        var options = new LookupOptions();
        var import = new Option<bool>("--import") { Description = "Import the verified certificate with gpg --import instead of printing it." };
        var home = new Option<string?>("--gnupg-home") { Description = "The GnuPG home folder --import imports into (gpg --homedir)." };
        var command = new Command("openpgp", "Verify an address's keys as lookup does, then print or import its OpenPGP certificate.") { import, home };
        options.AddTo(command);
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var gnupgHome = parse.GetValue(home);
            if (parse.GetValue(import) != gnupgHome is not null)
            {
                throw CliException.Usage("usage.gnupg-home", "--import and --gnupg-home DIR go together");
            }

            // The lookup's own report is not printed: its failure lines go to stderr as with `dmd lookup`.
            var lookup = new Output(TextWriter.Null, json: false);
            var answer = await LookupCommand.RunAsync(context, parse, options, lookup, ct).ConfigureAwait(false);
            var address = CommonOptions.ParseAddress(parse.GetValue(options.Address)!).ToString();
            if (answer is null)
            {
                if (lookup.ExitCode == ExitCodes.Absent)
                {
                    throw new CliException(ExitCodes.Absent, "openpgp.no-certificate", $"{address} has no key (absence proven)");
                }

                output.ExitCode = lookup.ExitCode == ExitCodes.Ok ? ExitCodes.VerificationFailed : lookup.ExitCode;
                return;
            }

            if (answer.OpenPgpCertificate is not { } certificate)
            {
                throw new CliException(ExitCodes.Absent, "openpgp.no-certificate", $"{address} version {answer.SignetDecoded.Version} commits to no OpenPGP certificate");
            }

            var fingerprint = OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate));
            var armored = OpenPgpCertificate.Armor(certificate);
            var json = new JsonObject
            {
                ["address"] = address,
                ["version"] = answer.SignetDecoded.Version,
                ["openpgp_fingerprint"] = fingerprint,
            };
            if (gnupgHome is null)
            {
                json["certificate"] = armored;
                output.Result(armored.TrimEnd('\n'), json);
                return;
            }

            await ImportAsync(gnupgHome, armored, fingerprint, ct).ConfigureAwait(false);
            json["imported"] = gnupgHome;
            output.Result($"imported {fingerprint} into {gnupgHome}", json);
        }));
        return command;
    }

    /// <summary>Runs gpg --import on the armoured certificate; its status output must report the verified fingerprint.</summary>
    private static async Task ImportAsync(string home, string armored, string fingerprint, CancellationToken ct)
    {
        var info = new ProcessStartInfo("gpg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--homedir", home, "--batch", "--no-tty", "--status-fd", "1", "--import"])
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new CliException(ExitCodes.State, "openpgp.gpg", "gpg did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException(ExitCodes.State, "openpgp.gpg", $"gpg cannot be run: {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.StandardInput.WriteAsync(armored).ConfigureAwait(false);
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(GpgTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (ct.IsCancellationRequested)
                {
                    throw;
                }

                throw new CliException(ExitCodes.State, "openpgp.gpg", $"gpg --import did not finish in {GpgTimeout.TotalSeconds:0} s");
            }

            var status = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            var imported = status.Split('\n').Any(l => l.StartsWith("[GNUPG:] IMPORT_OK ", StringComparison.Ordinal)
                && l.TrimEnd().EndsWith(" " + fingerprint, StringComparison.OrdinalIgnoreCase));
            if (process.ExitCode != 0 || !imported)
            {
                var reason = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit {process.ExitCode}";
                throw new CliException(ExitCodes.State, "openpgp.gpg", $"gpg --import did not import {fingerprint}: {reason}");
            }
        }
    }
}

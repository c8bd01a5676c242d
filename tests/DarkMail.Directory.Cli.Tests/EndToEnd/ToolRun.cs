// Runs an outside program (gpg, gpgconf, nsenter …) to completion for the OpenPGP end-to-end
// tests: its exit code and both outputs, killed with its tree after two minutes.
using System.Diagnostics;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

internal static class ToolRun
{
    public static (int ExitCode, string Out, string Err) Run(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

// spec/cli.md "Common options": options shared by several verbs, and their checks.
using System.CommandLine;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string> Server() => new("--server")
    {
        Description = "Base URL of the directory (http or https).",
        Required = true,
    };

    public static Option<string?> State() => new("--state")
    {
        Description = "State folder: kept checkpoints, versions and trusted POKs (created when absent).",
    };

    public static Option<string?> PassphraseFile(string name = "--passphrase-file") => new(name)
    {
        Description = "File holding the passphrase of an encrypted key file (one line).",
    };

    /// <summary>--max-age SECONDS (spec/cli.md): the oldest checkpoint a verification accepts.</summary>
    public static Option<long?> MaxAge() => new("--max-age")
    {
        Description = "Refuse answers whose checkpoint (or newest policy cosignature) is older than this many seconds (default 86400).",
    };

    /// <summary>The --max-age value as a span, null when not given; a value below 1 is a usage error.</summary>
    public static TimeSpan? ParseMaxAge(long? seconds) => seconds switch
    {
        null => null,
        < 1 or > 10L * 365 * 86400 => throw CliException.Usage("usage.max-age", "--max-age must be a number of seconds from 1 to 315360000 (ten years)"),
        { } s => TimeSpan.FromSeconds(s),
    };

    public static Option<bool> Wait() => new("--wait")
    {
        Description = "Wait until a checkpoint covers the entry, then verify the answer and its proof.",
    };

    public static Uri ParseServer(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw CliException.Usage("usage.server", $"--server must be an http or https URL without query, fragment or credentials: {text}");
        }

        return uri;
    }

    public static Address ParseAddress(string text)
    {
        if (!Address.TryParse(text, out var address, out var code))
        {
            throw CliException.Usage(code, $"not a valid address: {text}");
        }

        return address;
    }

    public static byte[] ParsePok(string text)
    {
        try
        {
            var trimmed = text.Trim();
            var padded = trimmed.PadRight(trimmed.Length + ((4 - (trimmed.Length % 4)) % 4), '=');
            var bytes = Convert.FromBase64String(padded);
            if (bytes.Length == 32)
            {
                return bytes;
            }
        }
        catch (FormatException)
        {
        }

        throw CliException.Usage("usage.pok", "--pok must be a 32-byte Ed25519 public key in base64 (padded or not)");
    }

    public static string ReadToken(string path)
    {
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length == 0 ? throw CliException.Usage("usage.token-file", $"{path} is empty") : token;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage("usage.token-file", $"cannot read {path}: {e.Message}");
        }
    }
}

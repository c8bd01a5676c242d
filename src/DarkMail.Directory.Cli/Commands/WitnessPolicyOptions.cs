// spec/cli.md "Witness policy", spec/witnessing.md §4 "Client policy": --witness VKEY
// (repeatable, a cosignature/v1 verifier key) and --quorum K. With --witness and no
// --quorum every named witness must cosign (K = n). With neither, the policy file of the
// state folder (witness-policy.json) applies when there is one; otherwise there is no
// policy ("witnessed: none"). The descriptor's advice is shown, never applied: the
// provider does not choose the bar it is judged by (DESIGN §11).
using System.CommandLine;
using System.Text.Json;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Cli.Commands;

public static class WitnessPolicyOptions
{
    public static Option<string[]> Witness() => new("--witness")
    {
        Description = "A witness's cosigner verifier key (vkey); repeat for several. Checkpoints must carry their cosignatures.",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<int?> Quorum() => new("--quorum")
    {
        Description = "How many distinct --witness keys must have cosigned (default: all of them).",
    };

    /// <summary>The policy file's name in a state folder.</summary>
    public const string FileName = "witness-policy.json";

    /// <summary>Largest policy file read.</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>
    /// The policy in force: the options' when --witness was given, else the state folder's
    /// policy file when there is one, else null (no policy).
    /// </summary>
    public static WitnessPolicy? Resolve(string[]? witnesses, int? quorum, string? stateDirectory) =>
        Build(witnesses, quorum) ?? (stateDirectory is null ? null : Load(stateDirectory));

    /// <summary>
    /// Reads <c>DIR/witness-policy.json</c>: <c>{"witnesses": ["vkey", …], "quorum": K}</c>
    /// (quorum optional: all). Null when the file does not exist; a file that does not hold a
    /// valid policy is a state error (exit 7), never silently no policy.
    /// </summary>
    public static WitnessPolicy? Load(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > MaxFileBytes)
        {
            throw new Client.State.ClientStateException($"{path} is larger than {MaxFileBytes} bytes.");
        }

        PolicyFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PolicyFile>(bytes, new JsonSerializerOptions { PropertyNameCaseInsensitive = false, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new Client.State.ClientStateException($"{path} is not a witness policy: {e.Message}");
        }

        if (file?.witnesses is not { Length: > 0 } keys)
        {
            throw new Client.State.ClientStateException($"{path} names no witness: a policy file lists at least one cosigner vkey under \"witnesses\".");
        }

        try
        {
            return Build(keys, file.quorum);
        }
        catch (CliException e)
        {
            throw new Client.State.ClientStateException($"{path}: {e.Message}");
        }
    }

    /// <summary>One line for people: "none", or "K of N (name, …)".</summary>
    public static string Describe(WitnessPolicy? policy) =>
        policy is null || policy.Witnesses.Count == 0
            ? "none"
            : $"{policy.Quorum} of {policy.Witnesses.Select(w => w.Name).Distinct(StringComparer.Ordinal).Count()} ({string.Join(", ", policy.Witnesses.Select(w => w.Name).Distinct(StringComparer.Ordinal))})";

    /// <summary>The policy the options name, or null when --witness was not given.</summary>
    public static WitnessPolicy? Build(string[]? witnesses, int? quorum)
    {
        witnesses ??= [];
        if (witnesses.Length == 0)
        {
            return quorum is null ? null : throw CliException.Usage("usage.quorum", "--quorum needs at least one --witness");
        }

        var verifiers = new List<NoteVerifier>(witnesses.Length);
        foreach (var vkey in witnesses)
        {
            if (!VerifierKey.TryParse(vkey, out var verifier) || verifier is not CosignatureVerifier)
            {
                throw CliException.Usage("usage.witness", $"--witness must be a cosignature/v1 verifier key (name+hex+base64 of 0x04 and 32 bytes): {vkey}");
            }

            if (verifiers.Any(v => v.KeyId == verifier.KeyId && v.Name == verifier.Name))
            {
                throw CliException.Usage("usage.witness", $"--witness names the same key twice: {vkey}");
            }

            verifiers.Add(verifier);
        }

        var names = verifiers.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count();
        var k = quorum ?? names;
        if (k < 1 || k > names)
        {
            throw CliException.Usage("usage.quorum", $"--quorum must be between 1 and the number of distinct witnesses ({names})");
        }

        return new WitnessPolicy(verifiers, k);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "JSON member names of the policy file.")]
    private sealed record PolicyFile(string[]? witnesses, int? quorum);
}

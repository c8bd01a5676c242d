// spec/cli.md "Witness policy", spec/witnessing.md "Client policy": --witness VKEY
// (repeatable, a cosignature/v1 verifier key) and --quorum K on dmd lookup and dmd log
// verify. With --witness and no --quorum every named witness must cosign (K = n). With
// neither, the descriptor's witness_policy advice applies (quorum 0: none required).
using System.CommandLine;
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

    /// <summary>The policy the options name, or null when neither was given (the descriptor's advice applies).</summary>
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
}

// spec/vectors/submissions.json: submissions and the decision of the rules of
// spec/submissions.md, (account, signet, time, presented code) → accepted with a leaf event
// or refused with a submission.* code. Built on the chain of signets.json (same seeds, POK
// and VRF label), plus variants made from it here; every code and every accepted event
// appears, and cases where two rules break pin the order. The expected results are stated
// here independently and the generator refuses to write a file the rules disagree with.
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Core.Vrf;
using NSec.Cryptography;
using static DarkMail.Directory.VectorGen.CustodyVectors;

namespace DarkMail.Directory.VectorGen;

public sealed class SubmissionVectors : IVectorSet
{
    public const string Domain = "example.org";
    public const int MaxClockSkewSeconds = 300;

    /// <summary>The time of every case: a day after the last version of the signets.json chain.</summary>
    public const ulong Now = SignetVectors.Created1 + (4 * 86_400);

    public string FileName => "submissions.json";

    public JsonObject Generate()
    {
        using var vrfKey = VrfLabelVectors.KeyFromSeed(VrfLabelVectors.SharedKeySeed);
        var label = Label.Compute(vrfKey, SignetVectors.AddressText).Label;
        var otherLabel = Label.Compute(vrfKey, "bob@example.org").Label;
        using var pok = VectorBytes.Ed25519(Seed("signets/pok"));
        var chain = SignetVectors.BuildChain(pok, label);
        var (v1, v2, v3, v4) = (chain[0].Signet, chain[1].Signet, chain[2].Signet, chain[3].Signet);
        using var k1 = VectorBytes.Ed25519(chain[0].SigningSeed);
        using var k3 = VectorBytes.Ed25519(chain[2].SigningSeed);
        using var k5 = VectorBytes.Ed25519(Seed("submissions/v5/signing"));
        using var stranger = VectorBytes.Ed25519(Seed("submissions/stranger"));
        var kit = new Kit(label, v1);
        var none = AccountSnapshot.None;
        var (after1, after2, after3, after4) = (AccountSnapshot.Of(v1), AccountSnapshot.Of(v2), AccountSnapshot.Of(v3), AccountSnapshot.Of(v4));
        const PresentedCode No = PresentedCode.None;
        const PresentedCode Unusable = PresentedCode.Unusable;
        const PresentedCode Usable = PresentedCode.Usable;

        var cases = new JsonArray
        {
            // Accepted, one case per leaf event and per way to reach it.
            Case("publish", none, chain[0].Submission.Encoded, Usable, LeafEvent.Publish),
            Case("rotate", after1, chain[1].Submission.Encoded, No, LeafEvent.Rotate),
            Case("rotate-code-ignored", after1, chain[1].Submission.Encoded, Unusable, LeafEvent.Rotate),
            Case("reset", after2, chain[2].Submission.Encoded, Usable, LeafEvent.Reset),
            Case("revoke", after3, chain[3].Submission.Encoded, No, LeafEvent.Revoke),
            Case("reset-after-revoke", after4, kit.Next(v4, null, k5), Usable, LeafEvent.Reset),
            Case("reset-marked-revoked", after1, kit.Next(v1, null, k5, b => b.Revoked = true), Usable, LeafEvent.Reset),
            Case("created-at-skew-limit", none, kit.First(k1, b => b.Created = Now + MaxClockSkewSeconds), Usable, LeafEvent.Publish),
            Case("expires-at-maximum", none, kit.First(k1, b => b.Expires = SubmissionRules.MaxExpires), Usable, LeafEvent.Publish),

            // Stateless refusals, in the order they are checked.
            Case("malformed-too-short", none, chain[0].Submission.Encoded[..4], Usable, SubmissionCodes.MalformedSignet, SignetErrors.TooShort),
            Case("malformed-org-signed", after1, v2.Encoded, No, SubmissionCodes.MalformedSignet, SignetErrors.SignatureUnexpected),
            Case("wrong-domain", none, kit.First(k1, b => b.Address = Address.Parse("alice@example.com")), Usable, SubmissionCodes.WrongDomain),
            Case("wrong-domain-before-user-signature", none, kit.First(null, b => b.Address = Address.Parse("alice@example.com")), Usable, SubmissionCodes.WrongDomain),
            Case("user-signature-absent", none, kit.First(null), Usable, SubmissionCodes.UserSignature),
            Case("user-signature-bit-flipped", none, VectorBytes.FlipBit(chain[0].Submission.Encoded, chain[0].Submission.Encoded.Length - 10, 3), Usable, SubmissionCodes.UserSignature),
            Case("user-signature-before-times", none, kit.First(null, b => (b.Created, b.Expires) = (Now - SignetVectors.Year, Now)), Usable, SubmissionCodes.UserSignature),
            Case("expires-at-now", none, kit.First(k1, b => (b.Created, b.Expires) = (Now - SignetVectors.Year, Now)), Usable, SubmissionCodes.Expired),
            Case("created-past-skew-limit", none, kit.First(k1, b => b.Created = Now + MaxClockSkewSeconds + 1), Usable, SubmissionCodes.CreatedInFuture),
            Case("expires-after-maximum", none, kit.First(k1, b => b.Expires = SubmissionRules.MaxExpires + 1), Usable, SubmissionCodes.ExpiresTooLate),
            Case("times-before-chain", after2, kit.First(k1, b => (b.Created, b.Expires) = (Now - SignetVectors.Year, Now - 1)), Usable, SubmissionCodes.Expired),

            // Chain refusals, in the order they are checked.
            Case("version-conflict-first-is-2", none, chain[1].Submission.Encoded, Usable, SubmissionCodes.VersionConflict),
            Case("version-conflict-replay", after1, chain[0].Submission.Encoded, Usable, SubmissionCodes.VersionConflict),
            Case("version-conflict-lost-race", after2, chain[1].Submission.Encoded, No, SubmissionCodes.VersionConflict),
            Case("version-conflict-gap", after1, chain[2].Submission.Encoded, Usable, SubmissionCodes.VersionConflict),
            Case("previous-hash", after1, kit.Next(v1, k1, k5, b => b.PreviousHash = new byte[32]), No, SubmissionCodes.PreviousHash),
            Case("previous-hash-before-revoked", after4, kit.Next(v4, k3, k5, b => b.PreviousHash = new byte[32]), No, SubmissionCodes.PreviousHash),
            Case("revoked", after4, kit.Next(v4, k3, k5), No, SubmissionCodes.Revoked),
            Case("revoked-before-custody", after4, kit.Next(v4, stranger, stranger), No, SubmissionCodes.Revoked),
            Case("custody-missing-version-1-revoked", none, kit.First(k1, b => b.Revoked = true), Usable, SubmissionCodes.CustodyMissing),
            Case("custody-missing-no-reset-code", after2, chain[2].Submission.Encoded, No, SubmissionCodes.CustodyMissing),
            Case("custody-invalid-other-key", after1, kit.Next(v1, stranger, stranger), No, SubmissionCodes.CustodyInvalid),
            Case("custody-invalid-other-label", after1, kit.Next(v1, k1, k5, custodyLabel: otherLabel), No, SubmissionCodes.CustodyInvalid),
            Case("code-required", none, chain[0].Submission.Encoded, No, SubmissionCodes.CodeRequired),
            Case("code-invalid-enrollment", none, chain[0].Submission.Encoded, Unusable, SubmissionCodes.CodeInvalid),
            Case("code-invalid-reset", after2, chain[2].Submission.Encoded, Unusable, SubmissionCodes.CodeInvalid),
        };

        foreach (var node in cases)
        {
            Check(node!.AsObject(), label);
        }

        return new JsonObject
        {
            ["description"] = "Submission decisions (spec/submissions.md). For each case: decode 'signet_hex' as a submission; check it against 'domain', the time 'now' (Unix seconds) and 'max_clock_skew_seconds'; then against 'account' (null: the address never published; 'signet_hash_hex' is the SHA-256 of its current whole signet) with the address's VRF label 'label_hex' (of 'address' under 'vrf_secret_key_hex', as in signets.json) and 'presented_code' (none, unusable, usable). The result is 'decision' accepted with the leaf 'event', or refused with 'code' (and 'signet_code' for a malformed signet).",
            ["domain"] = Domain,
            ["max_clock_skew_seconds"] = MaxClockSkewSeconds,
            ["address"] = SignetVectors.AddressText,
            ["vrf_secret_key_hex"] = Hex(vrfKey.Export()),
            ["label_hex"] = Hex(label),
            ["cases"] = cases,
        };
    }

    public static PresentedCode ParsePresentedCode(string text) => text switch
    {
        "none" => PresentedCode.None,
        "unusable" => PresentedCode.Unusable,
        "usable" => PresentedCode.Usable,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "Not a presented code."),
    };

    /// <summary>The account of a case: null for one that never published.</summary>
    public static AccountSnapshot ParseAccount(JsonNode? node) => node is null
        ? AccountSnapshot.None
        : new AccountSnapshot(
            (uint)node["version"]!,
            Convert.FromHexString((string)node["signing_key_hex"]!),
            Convert.FromHexString((string)node["signet_hash_hex"]!),
            (bool)node["revoked"]!);

    private static JsonObject Case(string name, AccountSnapshot account, ReadOnlySpan<byte> signet, PresentedCode code, LeafEvent accepted) =>
        Node(name, account, signet, code, "accepted", LeafKit.EventName(accepted), null, null);

    private static JsonObject Case(string name, AccountSnapshot account, ReadOnlySpan<byte> signet, PresentedCode code, string refusal, string? signetCode = null) =>
        Node(name, account, signet, code, "refused", null, refusal, signetCode);

    private static JsonObject Node(string name, AccountSnapshot account, ReadOnlySpan<byte> signet, PresentedCode code, string decision, string? @event, string? refusal, string? signetCode) => new()
    {
        ["name"] = name,
        ["account"] = account.Exists
            ? new JsonObject
            {
                ["version"] = account.Version,
                ["signing_key_hex"] = Hex(account.SigningKey),
                ["signet_hash_hex"] = Hex(account.SignetHash),
                ["revoked"] = account.Revoked,
            }
            : null,
        ["signet_hex"] = Hex(signet),
        ["now"] = Now,
        ["presented_code"] = code switch
        {
            PresentedCode.None => "none",
            PresentedCode.Unusable => "unusable",
            _ => "usable",
        },
        ["decision"] = decision,
        ["event"] = @event,
        ["code"] = refusal,
        ["signet_code"] = signetCode,
    };

    /// <summary>Runs the rules on a case; a disagreement with the stated result stops the generator.</summary>
    private static void Check(JsonObject node, byte[] label)
    {
        var decision = SubmissionRules.Decide(
            Convert.FromHexString((string)node["signet_hex"]!),
            Domain,
            DateTimeOffset.FromUnixTimeSeconds((long)Now),
            TimeSpan.FromSeconds(MaxClockSkewSeconds),
            ParseAccount(node["account"]),
            label,
            ParsePresentedCode((string)node["presented_code"]!));
        var actual = (decision.IsAccepted ? "accepted" : "refused", decision.Event is { } e ? LeafKit.EventName(e) : null, decision.Code, decision.SignetCode);
        var stated = ((string)node["decision"]!, (string?)node["event"], (string?)node["code"], (string?)node["signet_code"]);
        if (actual != stated)
        {
            throw new InvalidOperationException($"Submission case {node["name"]}: the rules decide {actual}, expected {stated}.");
        }
    }

    /// <summary>Variants of the signets.json chain for one address, user-signed, and optionally with custody.</summary>
    private sealed class Kit(byte[] label, Signet first)
    {
        /// <summary>A version 1 like the chain's, edited, user-signed by <paramref name="user"/> (unsigned when null).</summary>
        public byte[] First(Key? user, Action<SignetBuilder>? edit = null)
        {
            var builder = new SignetBuilder
            {
                Address = first.Address,
                Created = first.Created,
                Expires = first.Expires,
                SigningKey = first.SigningKey.ToArray(),
                EncryptionKey = first.EncryptionKey.ToArray(),
            };
            edit?.Invoke(builder);
            var body = builder.Build();
            return (user is null ? body : body.SignUser(user)).ToArray();
        }

        /// <summary>
        /// The version after <paramref name="previous"/> under <paramref name="user"/>'s key, a day
        /// later, edited; with custody by <paramref name="custody"/> over <paramref name="custodyLabel"/>
        /// (the address's label unless given), or none when null.
        /// </summary>
        public byte[] Next(Signet previous, Key? custody, Key user, Action<SignetBuilder>? edit = null, byte[]? custodyLabel = null)
        {
            var builder = SignetBuilder.After(previous);
            builder.Created = previous.Created + 86_400;
            builder.Expires = builder.Created + SignetVectors.Year;
            builder.SigningKey = VectorBytes.PublicOf(user);
            edit?.Invoke(builder);
            var body = builder.Build();
            if (custody is not null)
            {
                body = body.SignCustody(custody, custodyLabel ?? label);
            }

            return body.SignUser(user).ToArray();
        }
    }
}

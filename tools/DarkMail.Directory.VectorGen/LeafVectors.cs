// spec/leaves.md vectors: leaves.json (single leaves: valid ones with their fields, leaf
// hash and custody message; malformed ones with the exact leaf.* code) and leaf-chains.json
// (leaf sequences with the exact findings LeafChainValidator must report). Keys come from
// fixed seeds and Ed25519 signing is deterministic, so reruns give identical files.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Leaves;
using NSec.Cryptography;

namespace DarkMail.Directory.VectorGen;

public sealed class LeafVectors : IVectorSet
{
    public string FileName => "leaves.json";

    public JsonObject Generate()
    {
        var label = LeafKit.Label("alice");
        var k1 = LeafKit.Key("alice-1");
        var k2 = LeafKit.Key("alice-2");
        var k3 = LeafKit.Key("alice-3");
        var k4 = LeafKit.Key("alice-4");
        var publish = LeafKit.Leaf(LeafEvent.Publish, 1767225600000, label, 1, k1, null);
        var rotate = LeafKit.Leaf(LeafEvent.Rotate, 1767225660000, label, 2, k2, k1);
        var reset = LeafKit.Leaf(LeafEvent.Reset, 1767225720000, label, 3, k3, null);
        var revoke = LeafKit.Leaf(LeafEvent.Revoke, 1767225780000, label, 4, k4, k3);
        var kMax = LeafKit.Key("edge-max");
        var edgeZero = LeafKit.Leaf(LeafEvent.Publish, 0, LeafKit.Label("edge"), 1, LeafKit.Key("edge-1"), null);
        var edgeMax = LeafKit.Leaf(LeafEvent.Rotate, ulong.MaxValue, LeafKit.Label("edge"), uint.MaxValue, kMax, LeafKit.Key("edge-1"));

        var valid = new JsonArray
        {
            Valid("publish", publish, null),
            Valid("rotate", rotate, k1),
            Valid("reset", reset, null),
            Valid("revoke", revoke, k3),
            Valid("publish-timestamp-zero", edgeZero, null),
            Valid("rotate-max-timestamp-max-version", edgeMax, LeafKit.Key("edge-1")),
        };

        var p = publish.Encode();
        var r = rotate.Encode();
        var invalid = new JsonArray
        {
            Invalid("empty", [], LeafErrors.Length),
            Invalid("format-version-0", Patch(p, 0, 0x00), LeafErrors.FormatVersion),
            Invalid("format-version-2", Patch(p, 0, 0x02), LeafErrors.FormatVersion),
            Invalid("truncated-110", p[..110], LeafErrors.Length),
            Invalid("truncated-174", r[..174], LeafErrors.Length),
            Invalid("trailing-byte-112", [.. p, 0x00], LeafErrors.Length),
            Invalid("trailing-byte-176", [.. r, 0x00], LeafErrors.Length),
            Invalid("event-0x00", Patch(p, 1, 0x00), LeafErrors.EventType),
            Invalid("event-0x05", Patch(p, 1, 0x05), LeafErrors.EventType),
            Invalid("event-0xff", Patch(p, 1, 0xff), LeafErrors.EventType),
            Invalid("custody-flag-0x02", Patch(p, 110, 0x02), LeafErrors.CustodyFlag),
            Invalid("custody-flag-0x80-with-signature", Patch(r, 110, 0x80), LeafErrors.CustodyFlag),
            Invalid("flag-1-without-signature", Patch(p, 110, 0x01), LeafErrors.CustodyLength),
            Invalid("flag-0-with-signature", Patch(r, 110, 0x00), LeafErrors.CustodyLength),
            Invalid("version-zero", LeafKit.Raw(LeafEvent.Publish, 1767225600000, label, 0, k1, null), LeafErrors.VersionZero),
            Invalid("publish-version-2", LeafKit.Raw(LeafEvent.Publish, 1767225600000, label, 2, k1, null), LeafErrors.PublishVersion),
            Invalid("rotate-version-1", LeafKit.Raw(LeafEvent.Rotate, 1767225600000, label, 1, k2, k1), LeafErrors.VersionOne),
            Invalid("reset-version-1", LeafKit.Raw(LeafEvent.Reset, 1767225600000, label, 1, k2, null), LeafErrors.VersionOne),
            Invalid("rotate-without-custody", LeafKit.Raw(LeafEvent.Rotate, 1767225660000, label, 2, k2, null), LeafErrors.CustodyMissing),
            Invalid("revoke-without-custody", LeafKit.Raw(LeafEvent.Revoke, 1767225780000, label, 4, k4, null), LeafErrors.CustodyMissing),
            Invalid("publish-with-custody", LeafKit.Raw(LeafEvent.Publish, 1767225600000, label, 1, k1, k1), LeafErrors.CustodyUnexpected),
            Invalid("reset-with-custody", LeafKit.Raw(LeafEvent.Reset, 1767225720000, label, 3, k3, k2), LeafErrors.CustodyUnexpected),
        };

        return new JsonObject
        {
            ["description"] = "DarkMail Directory log leaves (spec/leaves.md). leafHash = SHA-256(0x00 || leaf); custodyMessage is what custodySignature signs, verifiable under previousSigningKey.",
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    private static JsonObject Valid(string name, LogLeaf leaf, Key? previous)
    {
        var node = new JsonObject
        {
            ["name"] = name,
            ["leaf"] = Hex(leaf.Encode()),
            ["leafHash"] = Hex(leaf.LeafHash()),
            ["event"] = LeafKit.EventName(leaf.Event),
            ["timestamp"] = leaf.Timestamp,
            ["label"] = Hex(leaf.Label.Span),
            ["version"] = leaf.Version,
            ["signingKey"] = Hex(leaf.SigningKey.Span),
            ["bodyHash"] = Hex(leaf.BodyHash.Span),
            ["custodySignature"] = leaf.HasCustody ? Hex(leaf.CustodySignature.Span) : null,
        };
        if (previous is not null)
        {
            node["custodyMessage"] = Hex(leaf.CustodyMessage());
            node["previousSigningKey"] = Hex(previous.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        }

        return node;
    }

    private static JsonObject Invalid(string name, byte[] bytes, string error) => new()
    {
        ["name"] = name,
        ["leaf"] = Hex(bytes),
        ["error"] = error,
    };

    private static byte[] Patch(byte[] bytes, int offset, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = value;
        return copy;
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

public sealed class LeafChainVectors : IVectorSet
{
    private const ulong T0 = 1767225600000;

    public string FileName => "leaf-chains.json";

    public JsonObject Generate()
    {
        var a = LeafKit.Label("chain-a");
        var b = LeafKit.Label("chain-b");
        Key A(int n) => LeafKit.Key($"chain-a-{n}");
        Key B(int n) => LeafKit.Key($"chain-b-{n}");
        byte[] L(LeafEvent e, ulong t, byte[] label, uint v, Key key, Key? custody) => LeafKit.Raw(e, T0 + t, label, v, key, custody);

        var chains = new JsonArray
        {
            Chain("valid-two-labels", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Publish, 1, b, 1, B(1), null),
                    L(LeafEvent.Rotate, 2, a, 2, A(2), A(1)),
                    L(LeafEvent.Rotate, 2, b, 2, B(2), B(1)),
                    L(LeafEvent.Revoke, 3, a, 3, A(3), A(2)),
                    L(LeafEvent.Reset, 4, a, 4, A(4), null),
                    L(LeafEvent.Reset, 5, b, 3, B(3), null),
                    L(LeafEvent.Rotate, 6, a, 5, A(5), A(4)),
                ],
                []),
            Chain("resume-at-index-1000", 1000,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Rotate, 1, a, 2, A(2), A(1)),
                ],
                []),
            Chain("index-out-of-order", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Publish, 1, b, 1, B(1), null),
                    L(LeafEvent.Rotate, 2, a, 2, A(2), A(1)),
                ],
                [(2, ChainRules.IndexOutOfOrder)],
                indices: [0, 2, 3]),
            Chain("malformed-leaf", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Rotate, 1, a, 2, A(2), A(1))[..174],
                    L(LeafEvent.Rotate, 2, a, 2, A(2), A(1)),
                ],
                [(1, ChainRules.MalformedLeaf)]),
            Chain("timestamp-regression", 0,
                [
                    L(LeafEvent.Publish, 10, a, 1, A(1), null),
                    L(LeafEvent.Publish, 9, b, 1, B(1), null),
                    L(LeafEvent.Rotate, 10, a, 2, A(2), A(1)),
                ],
                [(1, ChainRules.TimestampRegression)]),
            Chain("first-not-publish", 0,
                [
                    L(LeafEvent.Rotate, 0, a, 2, A(2), A(1)),
                    L(LeafEvent.Rotate, 1, a, 3, A(3), A(2)),
                ],
                [(0, ChainRules.FirstNotPublish), (0, ChainRules.VersionGap)]),
            Chain("publish-after-first", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Publish, 1, a, 1, A(2), null),
                    L(LeafEvent.Rotate, 2, a, 2, A(3), A(1)),
                ],
                [(1, ChainRules.PublishAfterFirst), (1, ChainRules.VersionDuplicate)]),
            Chain("version-gap", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Rotate, 1, a, 3, A(3), A(1)),
                    L(LeafEvent.Rotate, 2, a, 4, A(4), A(3)),
                ],
                [(1, ChainRules.VersionGap)]),
            Chain("version-duplicate", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Rotate, 1, a, 2, A(2), A(1)),
                    L(LeafEvent.Rotate, 2, a, 2, A(9), A(1)),
                    L(LeafEvent.Rotate, 3, a, 3, A(3), A(2)),
                ],
                [(2, ChainRules.VersionDuplicate)]),
            Chain("after-revoke", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Revoke, 1, a, 2, A(2), A(1)),
                    L(LeafEvent.Rotate, 2, a, 3, A(3), A(2)),
                ],
                [(2, ChainRules.AfterRevoke)]),
            Chain("custody-missing", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Rotate, 1, a, 2, A(2), null),
                    L(LeafEvent.Rotate, 2, a, 3, A(3), A(2)),
                ],
                [(1, ChainRules.CustodyMissing)]),
            Chain("custody-unexpected", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Reset, 1, a, 2, A(2), A(1)),
                ],
                [(1, ChainRules.CustodyUnexpected)]),
            Chain("custody-invalid", 0,
                [
                    L(LeafEvent.Publish, 0, a, 1, A(1), null),
                    L(LeafEvent.Publish, 0, b, 1, B(1), null),
                    L(LeafEvent.Rotate, 1, a, 2, A(2), B(1)),
                    L(LeafEvent.Rotate, 2, a, 3, A(3), A(2)),
                ],
                [(2, ChainRules.CustodyInvalid)]),
        };

        return new JsonObject
        {
            ["description"] = "DarkMail Directory leaf chains (spec/leaves.md \"Chain rules\"): feed each chain's leaves, in order and with the given indices, to a fresh validator whose first index is firstIndex; it must report exactly these findings, in this order, and these statistics, and export exactly finalState (spec/leaves.md \"Validator state\").",
            ["chains"] = chains,
        };
    }

    private static JsonObject Chain(string name, long firstIndex, byte[][] leaves, (long Index, string Rule)[] findings, long[]? indices = null)
    {
        var validator = new LeafChainValidator(firstIndex);
        var leafNodes = new JsonArray();
        var actual = new List<(long, string)>();
        for (var i = 0; i < leaves.Length; i++)
        {
            var index = indices?[i] ?? firstIndex + i;
            leafNodes.Add(new JsonObject { ["index"] = index, ["leaf"] = LeafVectors.Hex(leaves[i]) });
            actual.AddRange(validator.Consume(index, leaves[i]).Select(f => (f.Index, f.Rule)));
        }

        // The generator states the findings independently and refuses to write a file the
        // validator disagrees with, so a rule change cannot silently rewrite expectations.
        if (!actual.SequenceEqual(findings))
        {
            throw new InvalidOperationException($"Chain {name}: the validator reports [{string.Join(", ", actual)}], expected [{string.Join(", ", findings)}].");
        }

        var s = validator.Statistics;
        return new JsonObject
        {
            ["name"] = name,
            ["firstIndex"] = firstIndex,
            ["leaves"] = leafNodes,
            ["findings"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject { ["index"] = f.Index, ["rule"] = f.Rule })]),
            ["statistics"] = new JsonObject
            {
                ["leaves"] = s.Leaves,
                ["labels"] = s.Labels,
                ["publishes"] = s.Publishes,
                ["rotations"] = s.Rotations,
                ["resets"] = s.Resets,
                ["revocations"] = s.Revocations,
                ["malformedLeaves"] = s.MalformedLeaves,
                ["findings"] = s.Findings,
            },
            ["finalState"] = LeafVectors.Hex(validator.ExportState()),
        };
    }
}

/// <summary>Deterministic material for the leaf vectors.</summary>
internal static class LeafKit
{
    // Tests render the sets concurrently with other work, so the cache is thread-safe.
    private static readonly ConcurrentDictionary<string, Key> Keys = new(StringComparer.Ordinal);

    public static byte[] Label(string name) => SHA256.HashData(Encoding.UTF8.GetBytes("dmd leaf vector label " + name));

    public static Key Key(string name) => Keys.GetOrAdd(name, static n =>
        NSec.Cryptography.Key.Import(
            SignatureAlgorithm.Ed25519,
            SHA256.HashData(Encoding.UTF8.GetBytes("dmd leaf vector key " + n)),
            KeyBlobFormat.RawPrivateKey));

    public static byte[] BodyHash(byte[] label, uint version) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"signet body {Convert.ToHexStringLower(label)} v{version}"));

    public static LogLeaf Leaf(LeafEvent e, ulong timestamp, byte[] label, uint version, Key key, Key? custodyKey) =>
        LogLeaf.Decode(Raw(e, timestamp, label, version, key, custodyKey));

    /// <summary>
    /// Assembles leaf bytes field by field, without LogLeaf, so that vectors can hold leaves
    /// the library refuses to build (and so the encoder is checked against an independent layout).
    /// </summary>
    public static byte[] Raw(LeafEvent e, ulong timestamp, byte[] label, uint version, Key key, Key? custodyKey)
    {
        var signingKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var bodyHash = BodyHash(label, version);
        var leaf = new byte[custodyKey is null ? 111 : 175];
        leaf[0] = 0x01;
        leaf[1] = (byte)e;
        BinaryPrimitives.WriteUInt64BigEndian(leaf.AsSpan(2), timestamp);
        label.CopyTo(leaf, 10);
        BinaryPrimitives.WriteUInt32BigEndian(leaf.AsSpan(42), version);
        signingKey.CopyTo(leaf, 46);
        bodyHash.CopyTo(leaf, 78);
        if (custodyKey is not null)
        {
            leaf[110] = 0x01;
            var message = CustodyMessage.Build(label, version, signingKey, bodyHash);
            SignatureAlgorithm.Ed25519.Sign(custodyKey, message).CopyTo(leaf, 111);
        }

        return leaf;
    }

    public static string EventName(LeafEvent e) => e switch
    {
        LeafEvent.Publish => "publish",
        LeafEvent.Rotate => "rotate",
        LeafEvent.Reset => "reset",
        LeafEvent.Revoke => "revoke",
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };
}

// spec/submissions.md "Chain links": a new version of an address as a log leaf carries it
// (spec/leaves.md): event, version, label, new signing key, body hash and the custody
// signature (empty when absent). A view over the caller's bytes; sizes are checked where a
// custody signature is verified.
using System.Buffers.Binary;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Submissions;

public readonly ref struct ChainLink
{
    public ChainLink(
        LeafEvent @event,
        uint version,
        ReadOnlySpan<byte> label,
        ReadOnlySpan<byte> signingKey,
        ReadOnlySpan<byte> bodyHash,
        ReadOnlySpan<byte> custodySignature)
    {
        Event = @event;
        Version = version;
        Label = label;
        SigningKey = signingKey;
        BodyHash = bodyHash;
        CustodySignature = custodySignature;
    }

    public LeafEvent Event { get; }

    public uint Version { get; }

    public ReadOnlySpan<byte> Label { get; }

    public ReadOnlySpan<byte> SigningKey { get; }

    public ReadOnlySpan<byte> BodyHash { get; }

    public ReadOnlySpan<byte> CustodySignature { get; }

    public bool HasCustody => !CustodySignature.IsEmpty;

    /// <summary>The link of a leaf that passed the structural checks of spec/leaves.md §1.3 (checks 1–7).</summary>
    internal static ChainLink OfLeaf(ReadOnlySpan<byte> leaf) => new(
        (LeafEvent)leaf[LogLeaf.EventOffset],
        BinaryPrimitives.ReadUInt32BigEndian(leaf[LogLeaf.VersionOffset..]),
        leaf.Slice(LogLeaf.LabelOffset, LogLeaf.LabelSize),
        leaf.Slice(LogLeaf.KeyOffset, LogLeaf.KeySize),
        leaf.Slice(LogLeaf.BodyHashOffset, LogLeaf.BodyHashSize),
        leaf[LogLeaf.FlagOffset] == 1 ? leaf.Slice(LogLeaf.SignatureOffset, LogLeaf.SignatureSize) : default);
}

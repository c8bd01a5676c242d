// spec/audit.md "Monitor rules": the owner's rules on leaves. Of every leaf it is given it
// looks only at those whose label is one of the owner's (a handful: a linear scan over
// 32-byte labels beats a hash), and reports each one the owner did not make: a reset (never
// the owner's custody); a signing key that is not one of the owner's; a rotation or
// revocation whose custody signature no owner key verifies. The monitor hands it the leaf of
// every version it checks (LabelMonitor), in version order.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Monitor;

public sealed class WatchSink
{
    private readonly WatchedLabel[] watched;
    private readonly byte[][] ownerKeys;
    private readonly List<AuditFinding> findings = [];
    private readonly List<WatchedEntry> entries = [];

    public WatchSink(IEnumerable<WatchedLabel> watched, IEnumerable<byte[]> ownerKeys)
    {
        ArgumentNullException.ThrowIfNull(watched);
        ArgumentNullException.ThrowIfNull(ownerKeys);
        this.watched = [.. watched];
        this.ownerKeys = [.. ownerKeys];
        if (this.watched.Any(w => w.Label.Length != LogLeaf.LabelSize) || this.ownerKeys.Any(k => k.Length != LogLeaf.KeySize))
        {
            throw new ArgumentException("Labels and signing keys are 32 bytes.");
        }
    }

    public IReadOnlyList<AuditFinding> Findings => findings;

    /// <summary>Every leaf of a watched label given so far, reported or not.</summary>
    public IReadOnlyList<WatchedEntry> Entries => entries;

    /// <summary>Judges one leaf (at log index <paramref name="index"/>); a leaf of another label, or one that does not decode, is ignored.</summary>
    public void Consume(long index, ReadOnlySpan<byte> entry)
    {
        if (entry.Length < LogLeaf.SizeWithoutCustody)
        {
            return;
        }

        var label = entry.Slice(10, LogLeaf.LabelSize);
        WatchedLabel? match = null;
        foreach (var w in watched)
        {
            if (label.SequenceEqual(w.Label))
            {
                match = w;
                break;
            }
        }

        if (match is null || !LogLeaf.TryDecode(entry, out var leaf))
        {
            return;
        }

        var owned = IsOwnerKey(leaf.SigningKey.Span);
        var custodyByOwner = leaf.HasCustody && ownerKeys.Any(k => leaf.VerifyCustody(k));
        var reasons = new List<(string Code, string Why)>();
        if (leaf.Event == LeafEvent.Reset)
        {
            reasons.Add((AuditCodes.Reset, $"version {leaf.Version} of {match.Address} is a reset: the provider replaced the key without your custody signature"));
        }

        if (!owned)
        {
            reasons.Add((AuditCodes.ForeignKey, $"version {leaf.Version} of {match.Address} is signed by {Convert.ToBase64String(leaf.SigningKey.Span)}, not one of your keys"));
        }

        if (leaf.Event == LeafEvent.Rotate && !custodyByOwner)
        {
            reasons.Add((AuditCodes.ForeignCustody, $"the rotation to version {leaf.Version} of {match.Address} carries no custody signature by one of your keys"));
        }

        if (leaf.Event == LeafEvent.Revoke && !custodyByOwner)
        {
            reasons.Add((AuditCodes.ForeignRevocation, $"the revocation at version {leaf.Version} of {match.Address} carries no custody signature by one of your keys"));
        }

        var bytes = entry.ToArray();
        entries.Add(new WatchedEntry(match.Address, index, leaf.Event, leaf.Version, reasons.Count == 0));
        foreach (var (code, why) in reasons)
        {
            findings.Add(new AuditFinding(code, why) { Index = index, Leaf = bytes });
        }
    }

    private bool IsOwnerKey(ReadOnlySpan<byte> key)
    {
        foreach (var k in ownerKeys)
        {
            if (key.SequenceEqual(k))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>An owner's address with its log label (verified against the VRF proof).</summary>
public sealed record WatchedLabel(string Address, byte[] Label);

/// <summary>One leaf of a watched label: <see cref="ByOwner"/> when nothing was reported about it.</summary>
public sealed record WatchedEntry(string Address, long Index, LeafEvent Event, uint Version, bool ByOwner);

// spec/audit.md "Leaf rules": the audit's sink. Every entry goes through the leaf-chain
// validator of spec/leaves.md (versions 1, 2, 3 … per label, custody under the previous key,
// resets counted); its state is the validator's canonical export, so a resumed audit
// applies the rules exactly as one uninterrupted run would.
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Audit;

public sealed class ChainAuditSink : ILeafSink
{
    private readonly LeafChainValidator validator;
    private readonly List<AuditFinding> findings = [];

    /// <param name="state">A validator state from <see cref="ExportState"/>, or null to start at index 0.</param>
    public ChainAuditSink(byte[]? state)
    {
        validator = state is null ? new LeafChainValidator() : LeafChainValidator.ImportState(state);
        ResetsBefore = validator.Statistics.Resets;
    }

    public IReadOnlyList<AuditFinding> Findings => findings;

    /// <summary>Counts over every leaf audited so far, this run and earlier ones.</summary>
    public ChainStatistics Statistics => validator.Statistics;

    /// <summary>Resets counted before this run.</summary>
    public long ResetsBefore { get; }

    public void Consume(long index, ReadOnlySpan<byte> entry)
    {
        var broken = validator.Consume(index, entry);
        for (var i = 0; i < broken.Count; i++)
        {
            var f = broken[i];
            findings.Add(new AuditFinding(f.Rule, f.Explanation) { Index = f.Index, Leaf = f.Leaf.ToArray() });
        }
    }

    public byte[] ExportState() => validator.ExportState();
}

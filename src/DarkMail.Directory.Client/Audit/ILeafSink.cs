// spec/audit.md "Following a log": what a follower hands each entry to, in log order, after
// checking its leaf hash against the level-0 tile. The audit's sink runs the leaf-chain
// rules; the monitor's matches watched labels. Its state is exported with every commit so
// a run resumes exactly where it stopped.
namespace DarkMail.Directory.Client.Audit;

public interface ILeafSink
{
    /// <summary>Findings this sink made during this run, in log order.</summary>
    IReadOnlyList<AuditFinding> Findings { get; }

    /// <summary>
    /// The entries about to be consumed, in order from <paramref name="firstIndex"/> (a whole
    /// batch; a bundle that stops the run may leave its tail unconsumed): a sink may do the
    /// work that does not depend on order here, in parallel. Consume still gets each one.
    /// </summary>
    void Prepare(long firstIndex, IReadOnlyList<byte[]> entries)
    {
    }

    /// <summary>One entry, in log order.</summary>
    void Consume(long index, ReadOnlySpan<byte> entry);

    /// <summary>One entry, in log order, with the RFC 6962 leaf hash the follower computed from its bytes.</summary>
    void Consume(long index, ReadOnlySpan<byte> entry, ReadOnlySpan<byte> leafHash) => Consume(index, entry);

    /// <summary>The sink's whole state, to be imported by the next run.</summary>
    byte[] ExportState();
}

// DESIGN §4, §5, §8 / spec/leaves.md "Chain rules": the watchdog's rule engine. Consumes a
// log's leaves in order and reports every rule each one breaks; bad data is a finding,
// never an exception. Per label it keeps the last version, its signing key and whether the
// label is revoked (one ~85-byte dictionary entry, no per-label arrays), so millions of
// labels fit, and the state exports to a compact canonical form so an audit resumes where
// it stopped. Not thread-safe: one validator follows one log, in order. The per-label rules
// are SubmissionRules.CheckLink (spec/submissions.md §4.1), the function a directory decides
// submissions with; this class keeps the state and turns broken rules into findings.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Leaves;

public sealed class LeafChainValidator
{
    private static readonly ChainFinding[] NoFindings = [];

    private readonly Dictionary<Bytes32, LabelState> _labels;
    private long _nextIndex;
    private bool _hasTimestamp;
    private ulong _lastTimestamp;
    private long _leaves;
    private long _publishes;
    private long _rotations;
    private long _resets;
    private long _revocations;
    private long _malformed;
    private long _findings;

    // Custody signatures verified ahead by PreverifyCustody: the leaf's index → its bytes, the
    // key it was verified under and the verdict. Consume uses a verdict only for the same bytes
    // at the same index under the head key it actually meets; anything else verifies inline.
    private readonly Dictionary<long, (byte[] Leaf, Bytes32 Key, bool Holds)> _custody = [];
    private long _custodyChecks;

    /// <param name="firstIndex">The log index the first consumed leaf must have.</param>
    public LeafChainValidator(long firstIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        _nextIndex = firstIndex;
        _labels = [];
    }

    private LeafChainValidator(int capacity) => _labels = new Dictionary<Bytes32, LabelState>(capacity);

    /// <summary>The index the next leaf should have.</summary>
    public long NextIndex => _nextIndex;

    public ChainStatistics Statistics => new(
        _leaves, _labels.Count - (_labels.ContainsKey(ConfigurationLabel) ? 1 : 0), _publishes, _rotations, _resets, _revocations, _malformed, _findings,
        _labels.TryGetValue(ConfigurationLabel, out var configuration) ? configuration.Version : 0);

    // The latest configuration number is kept as the version of the map's reserved label
    // (spec/configuration.md §4), so the state export needs no new field.
    private static readonly Bytes32 ConfigurationLabel = Bytes32.Read(ConfigurationEntry.MapLabel);

    /// <summary>
    /// Checks one leaf and advances the state. Returns the rules it breaks, in the order of
    /// spec/leaves.md, or an empty list. Only caller misuse throws: a negative index, or
    /// <see cref="long.MaxValue"/> (no index can follow it).
    /// </summary>
    public IReadOnlyList<ChainFinding> Consume(long index, ReadOnlySpan<byte> leaf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfEqual(index, long.MaxValue);
        var collector = new Collector(index, leaf);
        _leaves++;

        if (index != _nextIndex)
        {
            collector.Add(ChainRules.IndexOutOfOrder, $"expected index {_nextIndex}, got {index}");
        }

        _nextIndex = index + 1;

        if (ConfigurationEntry.IsConfiguration(leaf))
        {
            ConsumeConfiguration(ref collector, leaf);
            return Finish(ref collector);
        }

        var error = LogLeaf.Check(leaf, consistency: false, out var message);
        if (error is null && leaf.Slice(LogLeaf.LabelOffset, LogLeaf.LabelSize).SequenceEqual(ConfigurationEntry.MapLabel))
        {
            // spec/leaves.md §2.3: the configuration's reserved label is no address's; a leaf
            // under it is malformed, so it can neither pose as a configuration nor move one.
            (error, message) = ("leaf.reserved-label", "the leaf's label is the one reserved for configuration entries");
        }

        if (error is not null)
        {
            _malformed++;
            collector.Add(ChainRules.MalformedLeaf, $"{error}: {message}");
            return Finish(ref collector);
        }

        var link = ChainLink.OfLeaf(leaf);
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(leaf[LogLeaf.TimestampOffset..]);
        var label = Bytes32.Read(link.Label);

        if (_hasTimestamp && timestamp < _lastTimestamp)
        {
            collector.Add(ChainRules.TimestampRegression, $"timestamp {timestamp} is lower than the previous leaf's {_lastTimestamp}");
        }

        _hasTimestamp = true;
        _lastTimestamp = timestamp;
        Count(link.Event);

        // A label not seen yet gets a default entry (version 0): the rules see no head, and
        // the leaf, whose version is at least 1, becomes it.
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_labels, label, out var seen);
        Span<byte> headKey = stackalloc byte[Bytes32.Size];
        state.Key.CopyTo(headKey);
        var head = seen ? new ChainHead(state.Version, headKey, state.Revoked) : ChainHead.None;
        bool? custody = null;
        if (_custody.Count > 0 && _custody.Remove(index, out var ahead) && seen && ahead.Key.Equals(state.Key) && leaf.SequenceEqual(ahead.Leaf))
        {
            custody = ahead.Holds;
        }

        if (seen && link.HasCustody && link.Version > state.Version && link.Event is LeafEvent.Rotate or LeafEvent.Revoke)
        {
            _custodyChecks++;
        }

        Report(ref collector, SubmissionRules.CheckLink(head, link, custody), link, head.Version);

        // A duplicate leaves the chain as it was, so the genuine next version still checks
        // out; a higher version (even past a gap, with bad custody or after a revocation)
        // becomes the chain head, because later leaves build on it. Only a revoke head is
        // revoked: a leaf wrongly following a revocation is reported once, not again at every
        // later leaf. Either way one bad leaf gives one finding.
        if (SubmissionRules.Advances(state.Version, link.Version))
        {
            state = new LabelState(Bytes32.Read(link.SigningKey), link.Version, link.Event == LeafEvent.Revoke);
        }

        return Finish(ref collector);
    }

    /// <summary>
    /// A configuration entry (spec/configuration.md §5): malformed is chain.malformed-leaf with
    /// its config.* code; its timestamp takes part in the order of timestamps; its number must
    /// be the previous configuration's + 1. A higher number becomes the latest either way.
    /// </summary>
    private void ConsumeConfiguration(ref Collector collector, ReadOnlySpan<byte> entry)
    {
        var error = ConfigurationEntry.Check(entry);
        if (error is not null)
        {
            _malformed++;
            collector.Add(ChainRules.MalformedLeaf, $"{error}: the entry is marked as a configuration but does not decode as one");
            return;
        }

        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(entry[2..]);
        if (_hasTimestamp && timestamp < _lastTimestamp)
        {
            collector.Add(ChainRules.TimestampRegression, $"timestamp {timestamp} is lower than the previous entry's {_lastTimestamp}");
        }

        _hasTimestamp = true;
        _lastTimestamp = timestamp;
        var number = BinaryPrimitives.ReadUInt32BigEndian(entry[ConfigurationEntry.NumberOffset..]);
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_labels, ConfigurationLabel, out _);
        if (number != state.Version + 1)
        {
            collector.Add(ChainRules.ConfigurationNumber, $"configuration number {number} follows {(state.Version == 0 ? "no configuration" : $"configuration {state.Version}")}");
        }

        if (SubmissionRules.Advances(state.Version, number))
        {
            state = new LabelState(default, number, false);
        }
    }

    /// <summary>Custody signatures this validator judged (rotations and revocations that advance an existing label), ahead or inline; not part of the exported state.</summary>
    public long CustodyChecks => _custodyChecks;

    /// <summary>
    /// Verifies, on all cores, the custody signatures of leaves about to be consumed in order
    /// from <paramref name="firstIndex"/>, under the head key each will meet given this state and
    /// the batch's earlier leaves. <see cref="Consume(long, ReadOnlySpan{byte})"/> then takes each
    /// verdict instead of verifying again, so findings are exactly those of consuming alone; a
    /// leaf consumed with other bytes, at another index or against another head verifies inline.
    /// Verdicts of an earlier call not consumed are dropped. Returns the signatures verified.
    /// </summary>
    public int PreverifyCustody(long firstIndex, IReadOnlyList<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        _custody.Clear();
        var heads = new Dictionary<Bytes32, (Bytes32 Key, uint Version)>();
        var jobs = new List<(int Position, Bytes32 Key)>();
        for (var i = 0; i < leaves.Count; i++)
        {
            var leaf = leaves[i];
            if (leaf is null || ConfigurationEntry.IsConfiguration(leaf) || LogLeaf.Check(leaf, consistency: false, out _) is not null
                || leaf.AsSpan(LogLeaf.LabelOffset, LogLeaf.LabelSize).SequenceEqual(ConfigurationEntry.MapLabel))
            {
                continue;
            }

            var link = ChainLink.OfLeaf(leaf);
            var label = Bytes32.Read(link.Label);
            (Bytes32 Key, uint Version) head;
            bool exists;
            if (heads.TryGetValue(label, out head))
            {
                exists = true;
            }
            else if (_labels.TryGetValue(label, out var state))
            {
                (head, exists) = ((state.Key, state.Version), true);
            }
            else
            {
                (head, exists) = ((default, 0), false);
            }

            if (exists && link.HasCustody && link.Version > head.Version && link.Event is LeafEvent.Rotate or LeafEvent.Revoke)
            {
                jobs.Add((i, head.Key));
            }

            if (SubmissionRules.Advances(head.Version, link.Version))
            {
                heads[label] = (Bytes32.Read(link.SigningKey), link.Version);
            }
        }

        var verdicts = new bool[jobs.Count];
        Parallel.For(0, jobs.Count, j =>
        {
            var leaf = leaves[jobs[j].Position];
            var link = ChainLink.OfLeaf(leaf);
            Span<byte> key = stackalloc byte[Bytes32.Size];
            jobs[j].Key.CopyTo(key);
            verdicts[j] = CustodyMessage.Verify(key, link.Label, link.Version, link.SigningKey, link.BodyHash, link.CustodySignature);
        });

        for (var j = 0; j < jobs.Count; j++)
        {
            _custody[firstIndex + jobs[j].Position] = (leaves[jobs[j].Position], jobs[j].Key, verdicts[j]);
        }

        return jobs.Count;
    }

    /// <summary>Checks one decoded leaf; the same rules as for its bytes.</summary>
    public IReadOnlyList<ChainFinding> Consume(long index, LogLeaf leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        Span<byte> bytes = stackalloc byte[LogLeaf.SizeWithCustody];
        var written = leaf.EncodeTo(bytes);
        return Consume(index, bytes[..written]);
    }

    /// <summary>
    /// The whole state (next index, last timestamp, statistics, every label) in the canonical
    /// binary form of spec/leaves.md "Validator state"; equal states give equal bytes.
    /// One array holds about 31 million labels; <see cref="ExportState(Stream)"/> has no such bound.
    /// </summary>
    public byte[] ExportState()
    {
        var entries = SortedEntries();
        var output = new byte[StateHeaderSize + (entries.Length * StateEntrySize)];
        WriteHeader(output, entries.Length);
        var span = output.AsSpan(StateHeaderSize);
        foreach (var entry in entries)
        {
            WriteEntry(span, entry);
            span = span[StateEntrySize..];
        }

        return output;
    }

    /// <summary>Writes the same bytes as <see cref="ExportState()"/> to <paramref name="destination"/>.</summary>
    public void ExportState(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var entries = SortedEntries();
        var buffer = new byte[StateEntrySize * StreamBatch];
        WriteHeader(buffer, entries.Length);
        destination.Write(buffer, 0, StateHeaderSize);
        var used = 0;
        foreach (var entry in entries)
        {
            WriteEntry(buffer.AsSpan(used), entry);
            used += StateEntrySize;
            if (used == buffer.Length)
            {
                destination.Write(buffer, 0, used);
                used = 0;
            }
        }

        destination.Write(buffer, 0, used);
    }

    /// <summary>
    /// Rebuilds a validator from <see cref="ExportState()"/> output. Strict: anything else is an
    /// <see cref="InvalidFormatException"/> with a <c>chain-state.*</c> code.
    /// </summary>
    public static LeafChainValidator ImportState(ReadOnlySpan<byte> state)
    {
        CheckMagic(state);
        if (state.Length < StateHeaderSize)
        {
            throw new InvalidFormatException(StateErrors.Length, $"A validator state is at least {StateHeaderSize} bytes; got {state.Length}.");
        }

        var entries = state[StateHeaderSize..];
        var count = ReadHeader(state, out var validator, entries.Length / StateEntrySize);
        if (count > entries.Length / StateEntrySize || entries.Length != count * StateEntrySize)
        {
            throw new InvalidFormatException(StateErrors.Length, $"The state declares {count} labels but holds {entries.Length} bytes of entries.");
        }

        var previous = default(Bytes32);
        for (var i = 0; i < count; i++)
        {
            previous = validator.ReadEntry(entries.Slice(i * StateEntrySize, StateEntrySize), i == 0, previous);
        }

        return validator;
    }

    /// <summary>As <see cref="ImportState(ReadOnlySpan{byte})"/>, reading the state to the end of <paramref name="source"/>.</summary>
    public static LeafChainValidator ImportState(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffer = new byte[StateEntrySize * StreamBatch];
        var read = source.ReadAtLeast(buffer.AsSpan(0, StateHeaderSize), StateHeaderSize, throwOnEndOfStream: false);
        CheckMagic(buffer.AsSpan(0, read));
        if (read < StateHeaderSize)
        {
            throw new InvalidFormatException(StateErrors.Length, $"A validator state is at least {StateHeaderSize} bytes; got {read}.");
        }

        // The declared count is untrusted until the entries arrive: presize only a little.
        var count = ReadHeader(buffer, out var validator, StreamBatch);
        var previous = default(Bytes32);
        for (var done = 0L; done < count;)
        {
            var batch = (int)Math.Min(StreamBatch, count - done);
            var want = batch * StateEntrySize;
            if (source.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false) < want)
            {
                throw new InvalidFormatException(StateErrors.Length, $"The state declares {count} labels but ends before entry {done + batch}.");
            }

            for (var i = 0; i < batch; i++)
            {
                previous = validator.ReadEntry(buffer.AsSpan(i * StateEntrySize, StateEntrySize), done + i == 0, previous);
            }

            done += batch;
        }

        if (source.ReadByte() >= 0)
        {
            throw new InvalidFormatException(StateErrors.Length, "Bytes follow the last label entry of the state.");
        }

        return validator;
    }

    private KeyValuePair<Bytes32, LabelState>[] SortedEntries()
    {
        var entries = new KeyValuePair<Bytes32, LabelState>[_labels.Count];
        ((ICollection<KeyValuePair<Bytes32, LabelState>>)_labels).CopyTo(entries, 0);
        Array.Sort(entries, static (x, y) => x.Key.CompareTo(y.Key));
        return entries;
    }

    private void WriteHeader(Span<byte> span, long count)
    {
        StateMagic.CopyTo(span);
        span = span[StateMagic.Length..];
        WriteCounter(ref span, _nextIndex);
        span[0] = _hasTimestamp ? (byte)1 : (byte)0;
        span = span[1..];
        BinaryPrimitives.WriteUInt64BigEndian(span, _lastTimestamp);
        span = span[8..];
        WriteCounter(ref span, _leaves);
        WriteCounter(ref span, _publishes);
        WriteCounter(ref span, _rotations);
        WriteCounter(ref span, _resets);
        WriteCounter(ref span, _revocations);
        WriteCounter(ref span, _malformed);
        WriteCounter(ref span, _findings);
        WriteCounter(ref span, count);
    }

    private static void WriteEntry(Span<byte> span, KeyValuePair<Bytes32, LabelState> entry)
    {
        entry.Key.CopyTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[32..], entry.Value.Version);
        entry.Value.Key.CopyTo(span[36..]);
        span[68] = entry.Value.Revoked ? (byte)1 : (byte)0;
    }

    private static void CheckMagic(ReadOnlySpan<byte> state)
    {
        if (state.Length < StateMagic.Length || !state[..StateMagic.Length].SequenceEqual(StateMagic))
        {
            throw new InvalidFormatException(StateErrors.Magic, "Not a leaf-chain validator state (bad magic).");
        }
    }

    /// <summary>Parses the 105-byte header into a fresh validator; returns the declared label count.</summary>
    private static long ReadHeader(ReadOnlySpan<byte> header, out LeafChainValidator validator, int capacity)
    {
        var span = header[StateMagic.Length..];
        var nextIndex = ReadCounter(ref span);
        var timestampFlag = span[0];
        if (timestampFlag > 1)
        {
            throw new InvalidFormatException(StateErrors.Flag, $"The timestamp flag is 0x{timestampFlag:x2}; it must be 0x00 or 0x01.");
        }

        var lastTimestamp = BinaryPrimitives.ReadUInt64BigEndian(span[1..]);
        if (timestampFlag == 0 && lastTimestamp != 0)
        {
            throw new InvalidFormatException(StateErrors.Flag, "A timestamp is present although the timestamp flag is 0x00.");
        }

        span = span[9..];
        var leaves = ReadCounter(ref span);
        var publishes = ReadCounter(ref span);
        var rotations = ReadCounter(ref span);
        var resets = ReadCounter(ref span);
        var revocations = ReadCounter(ref span);
        var malformed = ReadCounter(ref span);
        var findings = ReadCounter(ref span);
        var count = ReadCounter(ref span);
        if (count > int.MaxValue)
        {
            throw new InvalidFormatException(StateErrors.Length, $"The state declares {count} labels; at most 2^31 - 1 fit a validator.");
        }

        validator = new LeafChainValidator((int)Math.Min(count, capacity))
        {
            _nextIndex = nextIndex,
            _hasTimestamp = timestampFlag == 1,
            _lastTimestamp = lastTimestamp,
            _leaves = leaves,
            _publishes = publishes,
            _rotations = rotations,
            _resets = resets,
            _revocations = revocations,
            _malformed = malformed,
            _findings = findings,
        };
        return count;
    }

    /// <summary>Adds one 69-byte label entry; returns its label for the order check of the next.</summary>
    private Bytes32 ReadEntry(ReadOnlySpan<byte> entry, bool first, Bytes32 previous)
    {
        var label = Bytes32.Read(entry);
        if (!first && label.CompareTo(previous) <= 0)
        {
            throw new InvalidFormatException(StateErrors.LabelOrder, "Labels in a validator state are strictly ascending.");
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(entry[32..]);
        if (version == 0)
        {
            throw new InvalidFormatException(StateErrors.Version, "A label's last version is at least 1.");
        }

        var flags = entry[68];
        if (flags > 1)
        {
            throw new InvalidFormatException(StateErrors.Flag, $"A label's revoked flag is 0x{flags:x2}; it must be 0x00 or 0x01.");
        }

        _labels.Add(label, new LabelState(Bytes32.Read(entry[36..]), version, flags == 1));
        return label;
    }

    private void Count(LeafEvent @event)
    {
        switch (@event)
        {
            case LeafEvent.Publish:
                _publishes++;
                break;
            case LeafEvent.Rotate:
                _rotations++;
                break;
            case LeafEvent.Reset:
                _resets++;
                break;
            default:
                _revocations++;
                break;
        }
    }

    /// <summary>Turns the rules a leaf breaks (SubmissionRules.CheckLink) into findings, in the order of spec/leaves.md §2.3.</summary>
    private static void Report(ref Collector collector, ChainBreaks breaks, ChainLink link, uint last)
    {
        if (breaks == ChainBreaks.None)
        {
            return;
        }

        var name = LogLeaf.Name(link.Event);
        var version = link.Version;
        if ((breaks & ChainBreaks.FirstNotPublish) != 0)
        {
            collector.Add(ChainRules.FirstNotPublish, $"the label's first leaf is a {name}, not a publish");
        }

        if ((breaks & ChainBreaks.PublishAfterFirst) != 0)
        {
            collector.Add(ChainRules.PublishAfterFirst, $"publish of version {version} for a label already at version {last}");
        }

        if ((breaks & ChainBreaks.VersionGap) != 0)
        {
            collector.Add(ChainRules.VersionGap, last == 0
                ? $"the label's first leaf is version {version}; expected 1"
                : $"version {version} follows version {last}; expected {last + 1}");
        }

        if ((breaks & ChainBreaks.VersionDuplicate) != 0)
        {
            collector.Add(ChainRules.VersionDuplicate, $"version {version} is not above the label's last version {last}");
        }

        if ((breaks & ChainBreaks.AfterRevoke) != 0)
        {
            collector.Add(ChainRules.AfterRevoke, $"a {name} follows the label's revocation; only a reset may");
        }

        if ((breaks & ChainBreaks.CustodyMissing) != 0)
        {
            collector.Add(ChainRules.CustodyMissing, $"a {name} without the owner's custody signature");
        }

        if ((breaks & ChainBreaks.CustodyUnexpected) != 0)
        {
            collector.Add(ChainRules.CustodyUnexpected, $"a {name} carries a custody signature; it must not");
        }

        if ((breaks & ChainBreaks.CustodyInvalid) != 0)
        {
            collector.Add(ChainRules.CustodyInvalid, $"the custody signature of version {version} does not verify under version {last}'s signing key");
        }
    }

    private IReadOnlyList<ChainFinding> Finish(ref Collector collector)
    {
        if (collector.Findings is null)
        {
            return NoFindings;
        }

        _findings += collector.Findings.Count;
        return collector.Findings;
    }

    private static void WriteCounter(ref Span<byte> span, long value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)value);
        span = span[8..];
    }

    private static long ReadCounter(ref ReadOnlySpan<byte> span)
    {
        var value = BinaryPrimitives.ReadUInt64BigEndian(span);
        if (value > long.MaxValue)
        {
            throw new InvalidFormatException(StateErrors.Counter, $"A counter in the validator state is {value}; at most 2^63 - 1.");
        }

        span = span[8..];
        return (long)value;
    }

    private static ReadOnlySpan<byte> StateMagic => "dmd/leaf-chain-state/v1\n"u8;

    // magic(24) || next index(8) || timestamp flag(1) || last timestamp(8) || 7 counters(56) || label count(8)
    private static int StateHeaderSize => StateMagic.Length + 8 + 1 + 8 + (7 * 8) + 8;

    // label(32) || last version(4) || signing key(32) || revoked(1)
    private const int StateEntrySize = 69;

    // Entries per stream read or write: 4096 × 69 bytes ≈ 276 KiB of buffer.
    private const int StreamBatch = 4096;

    private readonly record struct LabelState(Bytes32 Key, uint Version, bool Revoked);

    /// <summary>Gathers one leaf's findings; allocates only when a rule is broken.</summary>
    private ref struct Collector(long index, ReadOnlySpan<byte> leaf)
    {
        private readonly ReadOnlySpan<byte> _leaf = leaf;
        private ReadOnlyMemory<byte> _evidence;
        private ReadOnlyMemory<byte> _label;

        public List<ChainFinding>? Findings { get; private set; }

        public void Add(string rule, string explanation)
        {
            if (Findings is null)
            {
                Findings = new List<ChainFinding>(2);
                var copy = _leaf.ToArray();
                _evidence = copy;
                _label = copy.Length >= LogLeaf.LabelOffset + LogLeaf.LabelSize
                    ? copy.AsMemory(LogLeaf.LabelOffset, LogLeaf.LabelSize)
                    : ReadOnlyMemory<byte>.Empty;
            }

            Findings.Add(new ChainFinding(index, _label, rule, explanation, _evidence));
        }
    }
}

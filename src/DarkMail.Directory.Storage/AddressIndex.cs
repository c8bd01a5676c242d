// spec/server.md "Lookups": the read side of GET /v1/keys/{address}. The accounts table
// already holds, by normalised address (unique index), the label and VRF proof computed at
// the first publish, so a lookup needs no VRF prove to find its label: one indexed query
// returns them with the address's latest version whose leaf a checkpoint of the given size
// covers (index signets(account_id, version)), and the highest reset version up to it.
// Plain prepared commands (SQLite or Npgsql, the same SQL) on pooled read connections (DirectoryDatabase.OpenConnection: the
// same synchronous and page-cache settings as every EF connection) (WAL: readers never wait for the
// writer): EF Core's per-query work (a context, a command, statement preparation) was most
// of a hit's database time. At most MaxPooled connections are kept, in slots taken and
// returned with one atomic exchange each (a ConcurrentBag's lock was 5 % of a hit under 64
// connections); busier moments open more and close them after use. The latest version's
// signet is decoded once, here, and handed on with the row (the answer needs its fields too).
// The OpenPGP certificate that version commits to (issue 11) comes in the same row: a LEFT
// JOIN on openpgp_certificates by its primary key signet_id, no second round trip.
// The row also carries the newest stored checkpoint's size (a scalar subquery on the
// checkpoints primary key), so a follower replica learns in the same round trip that another
// replica's sequencer signed a newer checkpoint and catches up before it answers (spec/server.md §11).
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using System.Data;
using System.Data.Common;

namespace DarkMail.Directory.Storage;

/// <summary>
/// An address's stored label and VRF proof, and its latest version a checkpoint covers (null:
/// none yet) with that version's signet decoded.
/// </summary>
public sealed record AddressEntry(byte[] Label, byte[] VrfProof, StoredVersion? Latest, Signet? LatestSignet = null)
{
    /// <summary>The size of the newest checkpoint stored when the row was read (0: none).</summary>
    public long StoredCheckpointSize { get; init; }
}

public sealed class AddressIndex(DirectoryDatabase database) : IDisposable
{
    /// <summary>Read connections kept open between lookups.</summary>
    public const int MaxPooled = 32;

    /// <summary>The SQL comment that names the query (diagnostics, tests).</summary>
    public const string Tag = "dmd: address lookup";

    // The reset event's number, written into the SQL: a parameter costs a lookup by name at every execution.
    private static readonly string ResetEvent = ((int)LeafEvent.Reset).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string Sql = "-- " + Tag + "\n" +
        "SELECT a.label, a.vrf_proof, s.version, s.event, s.signet, s.leaf_timestamp, s.leaf_index, " +
        "(SELECT max(r.version) FROM signets r WHERE r.account_id = a.id AND r.event = " + ResetEvent + " AND r.leaf_index IS NOT NULL AND r.version <= s.version), " +
        "o.certificate, (SELECT max(c.size) FROM checkpoints c) " +
        "FROM accounts a LEFT JOIN signets s ON s.id = (" +
        "SELECT t.id FROM signets t WHERE t.account_id = a.id AND t.leaf_index IS NOT NULL AND t.leaf_index < $size ORDER BY t.version DESC LIMIT 1) " +
        "LEFT JOIN openpgp_certificates o ON o.signet_id = s.id " +
        "WHERE a.address = $address";

    private readonly Reader?[] pool = new Reader?[MaxPooled];
    private long rowsRead;
    private bool disposed;

    /// <summary>Rows the query has returned since the index was made (tests: a lookup reads one row).</summary>
    public long RowsRead => Interlocked.Read(ref rowsRead);

    /// <summary>
    /// The account of <paramref name="address"/> (normalised) with its latest version whose leaf
    /// index is below <paramref name="checkpointSize"/>; null when the address never published.
    /// </summary>
    public AddressEntry? Find(string address, long checkpointSize)
    {
        ArgumentNullException.ThrowIfNull(address);
        ObjectDisposedException.ThrowIf(disposed, this);
        var reader = Take() ?? new Reader(database.OpenConnection());

        try
        {
            var entry = reader.Find(address, checkpointSize);
            if (entry is not null)
            {
                Interlocked.Increment(ref rowsRead);
            }

            return entry;
        }
        catch
        {
            reader.Dispose();
            reader = null;
            throw;
        }
        finally
        {
            if (reader is not null && !Return(reader))
            {
                reader.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref disposed, true);
        for (var i = 0; i < pool.Length; i++)
        {
            Interlocked.Exchange(ref pool[i], null)?.Dispose();
        }
    }

    /// <summary>A pooled reader, searched from a slot that depends on the thread (fewer collisions), or null.</summary>
    private Reader? Take()
    {
        var start = Environment.CurrentManagedThreadId;
        for (var i = 0; i < pool.Length; i++)
        {
            ref var slot = ref pool[(start + i) % pool.Length];
            if (Volatile.Read(ref slot) is not null && Interlocked.Exchange(ref slot, null) is { } reader)
            {
                return reader;
            }
        }

        return null;
    }

    /// <summary>Puts <paramref name="reader"/> in a free slot; false when every slot is full or the index is disposed.</summary>
    private bool Return(Reader reader)
    {
        if (Volatile.Read(ref disposed))
        {
            return false;
        }

        var start = Environment.CurrentManagedThreadId;
        for (var i = 0; i < pool.Length; i++)
        {
            ref var slot = ref pool[(start + i) % pool.Length];
            if (Volatile.Read(ref slot) is null && Interlocked.CompareExchange(ref slot, reader, null) is null)
            {
                // A Dispose that ran meanwhile may have passed this slot already: take it back.
                return !Volatile.Read(ref disposed) || Interlocked.CompareExchange(ref slot, null, reader) != reader;
            }
        }

        return false;
    }

    /// <summary>One open connection with the query prepared on it; used by one thread at a time.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly DbConnection connection;
        private readonly DbCommand command;
        private readonly DbParameter address;
        private readonly DbParameter size;

        public Reader(DbConnection connection)
        {
            this.connection = connection;
            try
            {
                command = connection.CreateCommand();
                command.CommandText = DirectoryDatabase.Dialect(connection, Sql, ["$address", "$size"]);
                address = Add(command, "$address", DbType.String, string.Empty);
                size = Add(command, "$size", DbType.Int64, 0L);
                command.Prepare();
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        private static DbParameter Add(DbCommand command, string name, DbType type, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = command.CommandText.Contains(name, StringComparison.Ordinal) ? name : name[1..];
            parameter.DbType = type;
            parameter.Value = value;
            command.Parameters.Add(parameter);
            return parameter;
        }

        public AddressEntry? Find(string value, long checkpointSize)
        {
            address.Value = value;
            size.Value = checkpointSize;
            using var row = command.ExecuteReader();
            if (!row.Read())
            {
                return null;
            }

            var label = (byte[])row.GetValue(0);
            var proof = (byte[])row.GetValue(1);
            var newest = row.IsDBNull(9) ? 0 : row.GetInt64(9);
            if (row.IsDBNull(2))
            {
                return new AddressEntry(label, proof, null) { StoredCheckpointSize = newest };
            }

            // The leaf is stored once, in its entry bundle; it is rebuilt from the row with the
            // sequencer's own encoder (spec/server.md §5).
            var leafEvent = (LeafEvent)row.GetInt32(3);
            var signet = (byte[])row.GetValue(4);
            var decoded = Signet.Decode(signet);
            return new AddressEntry(label, proof, new StoredVersion(
                value,
                label,
                proof,
                checked((uint)row.GetInt64(2)),
                leafEvent,
                signet,
                KeyStore.BuildLeaf(leafEvent, row.GetInt64(5), label, decoded),
                row.GetInt64(6),
                row.IsDBNull(7) ? null : checked((uint)row.GetInt64(7)),
                row.IsDBNull(8) ? null : (byte[])row.GetValue(8)), decoded) { StoredCheckpointSize = newest };
        }

        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }
}

// spec/server.md "Lookups": the read side of GET /v1/keys/{address}. The accounts table
// already holds, by normalised address (unique index), the label and VRF proof computed at
// the first publish, so a lookup needs no VRF prove to find its label: one indexed query
// returns them with the address's latest version whose leaf a checkpoint of the given size
// covers (index signets(account_id, version)), and the highest reset version up to it.
// Plain prepared SqliteCommands on pooled read connections (DirectoryDatabase.OpenConnection: the
// same synchronous and page-cache settings as every EF connection) (WAL: readers never wait for the
// writer): EF Core's per-query work (a context, a command, statement preparation) was most
// of a hit's database time. At most MaxPooled connections are kept; busier moments open
// more and close them after use.
using System.Collections.Concurrent;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using Microsoft.Data.Sqlite;

namespace DarkMail.Directory.Storage;

/// <summary>An address's stored label and VRF proof, and its latest version a checkpoint covers (null: none yet).</summary>
public sealed record AddressEntry(byte[] Label, byte[] VrfProof, StoredVersion? Latest);

public sealed class AddressIndex(DirectoryDatabase database) : IDisposable
{
    /// <summary>Read connections kept open between lookups.</summary>
    public const int MaxPooled = 32;

    /// <summary>The SQL comment that names the query (diagnostics, tests).</summary>
    public const string Tag = "dmd: address lookup";

    private const string Sql = "-- " + Tag + "\n" +
        "SELECT a.label, a.vrf_proof, s.version, s.event, s.signet, s.leaf_timestamp, s.leaf_index, " +
        "(SELECT max(r.version) FROM signets r WHERE r.account_id = a.id AND r.event = $reset AND r.leaf_index IS NOT NULL AND r.version <= s.version) " +
        "FROM accounts a LEFT JOIN signets s ON s.id = (" +
        "SELECT t.id FROM signets t WHERE t.account_id = a.id AND t.leaf_index IS NOT NULL AND t.leaf_index < $size ORDER BY t.version DESC LIMIT 1) " +
        "WHERE a.address = $address";

    private readonly ConcurrentBag<Reader> pool = [];
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
        if (!pool.TryTake(out var reader))
        {
            reader = new Reader(database.OpenConnection());
        }

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
            if (reader is not null)
            {
                if (pool.Count < MaxPooled && !disposed)
                {
                    pool.Add(reader);
                }
                else
                {
                    reader.Dispose();
                }
            }
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (pool.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    /// <summary>One open connection with the query prepared on it; used by one thread at a time.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly SqliteConnection connection;
        private readonly SqliteCommand command;
        private readonly SqliteParameter address;
        private readonly SqliteParameter size;

        public Reader(SqliteConnection connection)
        {
            this.connection = connection;
            try
            {
                command = connection.CreateCommand();
                command.CommandText = Sql;
                address = command.Parameters.Add("$address", SqliteType.Text);
                size = command.Parameters.Add("$size", SqliteType.Integer);
                command.Parameters.AddWithValue("$reset", (int)LeafEvent.Reset);
                address.Value = string.Empty;
                size.Value = 0L;
                command.Prepare();
            }
            catch
            {
                connection.Dispose();
                throw;
            }
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
            if (row.IsDBNull(2))
            {
                return new AddressEntry(label, proof, null);
            }

            // The leaf is stored once, in its entry bundle; it is rebuilt from the row with the
            // sequencer's own encoder (spec/server.md §5).
            var leafEvent = (LeafEvent)row.GetInt32(3);
            var signet = (byte[])row.GetValue(4);
            return new AddressEntry(label, proof, new StoredVersion(
                value,
                label,
                proof,
                checked((uint)row.GetInt64(2)),
                leafEvent,
                signet,
                KeyStore.BuildLeaf(leafEvent, row.GetInt64(5), label, Signet.Decode(signet)),
                row.GetInt64(6),
                row.IsDBNull(7) ? null : checked((uint)row.GetInt64(7))));
        }

        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }
}

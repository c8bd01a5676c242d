// c2sp.org/tlog-tiles hash tile at (Level, Index): its current bytes. A partial tile is
// overwritten as it grows (always by appending hashes); a full tile never changes.
namespace DarkMail.Directory.Storage.Entities;

public sealed class TileEntity
{
    public int Level { get; set; }

    public long Index { get; set; }

    public required byte[] Data { get; set; }
}

// c2sp.org/tlog-tiles entry bundle with this index: its current bytes (grows by appending
// entries until 256 are in it, then never changes).
namespace DarkMail.Directory.Storage.Entities;

public sealed class EntryBundleEntity
{
    public long Index { get; set; }

    public required byte[] Data { get; set; }
}

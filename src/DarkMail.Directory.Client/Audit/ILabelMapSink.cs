// spec/audit.md §2 step 6: a sink that also derives the label map (spec/map.md §6) from the
// entries it consumes. A follower whose sink implements it checks, at the size of the
// checkpoint it followed to (never at a mid-run commit), that the checkpoint claims that map
// root (its dmd-map line, spec/notes-and-checkpoints.md §3.3). Optional, so that the follower
// keeps one generic contract and a sink that has no use for the map does not pay for it.
namespace DarkMail.Directory.Client.Audit;

public interface ILabelMapSink : ILeafSink
{
    /// <summary>The root of the label map of every entry consumed so far (entries [0, n)).</summary>
    byte[] MapRoot();
}

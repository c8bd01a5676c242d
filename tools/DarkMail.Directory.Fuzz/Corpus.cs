namespace DarkMail.Directory.Fuzz;

/// <summary>Seeds and plain (non-AFL) runs of a target, shared by the driver and the replay test.</summary>
public static class Corpus
{
    /// <summary>AFL++ works best on small inputs; no parser reads more than this many bytes anyway.</summary>
    public const int MaxSeedBytes = 128 * 1024;

    /// <summary>The target's seeds from <paramref name="vectors"/>, distinct, in a stable order.</summary>
    public static IReadOnlyList<byte[]> Seeds(FuzzTarget target, Vectors vectors)
    {
        ArgumentNullException.ThrowIfNull(target);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. target.Seeds(vectors).Where(s => s.Length <= MaxSeedBytes && seen.Add(Convert.ToBase64String(s)))];
    }

    /// <summary>Runs the target once; the exception that escaped it, or null when it passed.</summary>
    public static Exception? Failure(FuzzTarget target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            target.Run(input);
            return null;
        }
#pragma warning disable CA1031 // Any escaping exception is the finding being reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace DarkMail.Directory.Transparency.Tests.TestSupport;

/// <summary>
/// The vector files copied beside the tests: shared-vectors/ (independent reference
/// implementations) and spec-vectors/ (the project's own), each parsed once.
/// </summary>
internal static class VectorFiles
{
    private static readonly ConcurrentDictionary<string, JsonElement> Parsed = new(StringComparer.Ordinal);

    public static string SharedPath(string file) => Path.Combine(AppContext.BaseDirectory, "shared-vectors", file);

    /// <summary>The root of shared-vectors/<paramref name="file"/>, parsed on first use.</summary>
    public static JsonElement Shared(string file) =>
        Parsed.GetOrAdd(file, f => JsonDocument.Parse(File.ReadAllBytes(SharedPath(f))).RootElement.Clone());

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A copy with one bit flipped; the byte index wraps, so any bit number is a valid input.</summary>
    public static byte[] FlipBit(ReadOnlySpan<byte> bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}

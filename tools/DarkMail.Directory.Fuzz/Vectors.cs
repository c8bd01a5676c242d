// The seed corpus comes from the test vectors: spec/vectors/*.json (the project's own) and
// ../shared/vectors/*.json (from independent implementations), plus the code spans of the
// spec's Markdown where a format has no vector file (tile paths). A missing file gives no
// seeds rather than an error, so each target still runs; the replay test checks that every
// target gets seeds from the real folders.
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DarkMail.Directory.Fuzz;

public sealed partial class Vectors
{
    private readonly Dictionary<string, JsonNode> files = new(StringComparer.Ordinal);
    private readonly List<string> markdown = [];

    /// <param name="folders">Folders of *.json vectors; a folder's parent's *.md files are read as spec text when the folder is named "vectors" under "spec".</param>
    public Vectors(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        foreach (var folder in folders)
        {
            if (!System.IO.Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"No vector folder {folder}.");
            }

            foreach (var path in System.IO.Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                files[Path.GetFileName(path)] = JsonNode.Parse(System.IO.File.ReadAllText(path))
                    ?? throw new InvalidDataException($"{path} is empty JSON.");
            }

            var spec = Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
            if (spec is not null && Path.GetFileName(spec) == "spec")
            {
                foreach (var path in System.IO.Directory.EnumerateFiles(spec, "*.md").Order(StringComparer.Ordinal))
                {
                    markdown.Add(System.IO.File.ReadAllText(path));
                }
            }
        }
    }

    /// <summary>The vector files read, by file name.</summary>
    public IReadOnlyCollection<string> Files => files.Keys;

    /// <summary>The root object of <paramref name="file"/>, or null when it was not found.</summary>
    public JsonNode? Json(string file) => files.GetValueOrDefault(file);

    /// <summary>The items of array <paramref name="array"/> of <paramref name="file"/>'s root (none when absent).</summary>
    public IEnumerable<JsonNode> Items(string file, string array) =>
        Json(file)?[array] is JsonArray items ? items.OfType<JsonNode>() : [];

    /// <summary>The string member <paramref name="member"/> of each item that has one.</summary>
    public IEnumerable<string> Strings(string file, string array, string member) =>
        Items(file, array).Select(item => item[member]).OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : null).OfType<string>();

    /// <summary>As <see cref="Strings"/>, hex-decoded (an item whose value is not hex is skipped).</summary>
    public IEnumerable<byte[]> Hex(string file, string array, string member) =>
        Strings(file, array, member).Select(TryHex).OfType<byte[]>();

    /// <summary>A root-level string member, or null.</summary>
    public string? Root(string file, string member) =>
        Json(file)?[member] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Every inline code span of the spec's Markdown that starts with <paramref name="prefix"/>.</summary>
    public IEnumerable<string> CodeSpans(string prefix) =>
        markdown.SelectMany(text => CodeSpan().Matches(text).Select(m => m.Groups[1].Value))
            .Where(span => span.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[]? TryHex(string text)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();
}

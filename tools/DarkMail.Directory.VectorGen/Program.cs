// Usage: dotnet run --project tools/DarkMail.Directory.VectorGen -- [OUTPUT_DIR]
// Default OUTPUT_DIR: spec/vectors of the working directory.
using System.Text.Encodings.Web;
using System.Text.Json;
using DarkMail.Directory.VectorGen;

var output = args.Length > 0 ? args[0] : Path.Combine("spec", "vectors");
Directory.CreateDirectory(output);
foreach (var set in VectorSets.All())
{
    var path = Path.Combine(output, set.FileName);
    File.WriteAllText(path, VectorSets.Render(set));
    Console.WriteLine(path);
}

namespace DarkMail.Directory.VectorGen
{
    public static class VectorSets
    {
        private static readonly JsonSerializerOptions Options = new()
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        public static IEnumerable<IVectorSet> All() =>
            typeof(VectorSets).Assembly.GetTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IVectorSet).IsAssignableFrom(t))
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (IVectorSet)Activator.CreateInstance(t)!);

        /// <summary>The exact text written for a set (LF line ends, final newline).</summary>
        public static string Render(IVectorSet set) =>
            set.Generate().ToJsonString(Options).ReplaceLineEndings("\n") + "\n";
    }
}

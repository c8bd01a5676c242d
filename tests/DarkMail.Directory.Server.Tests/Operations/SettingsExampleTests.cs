// spec/server.md §10.5 "Settings": docs/appsettings.example.json lists every setting with its
// default. Its keys are the options classes' public settable properties (by reflection), its
// values their defaults, binding it changes nothing, its Logging section is the code's
// logging defaults and the shipped appsettings.json, and every key has its row in
// spec/server.md: a setting added to the code without the example and the table fails here.
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Witnessing;
using Microsoft.Extensions.Configuration;

namespace DarkMail.Directory.Server.Tests.Operations;

public sealed class SettingsExampleTests
{
    /// <summary>Each options class and where it sits under "Directory" (LogWitnessesOptions binds "Directory" itself, for Witnesses).</summary>
    private static readonly (string Path, Type Type)[] Sections =
    [
        (string.Empty, typeof(DirectoryOptions)),
        (string.Empty, typeof(LogWitnessesOptions)),
        ("Discovery", typeof(DiscoveryOptions)),
        ("Witnessing", typeof(WitnessingOptions)),
    ];

    [Fact]
    public void Example_Keys_AreEverySettablePropertyOfTheOptionsClasses()
    {
        var expected = Sections.SelectMany(s => Keys(s.Path, s.Type)).Order(StringComparer.Ordinal).ToList();
        var actual = Flatten(Example()["Directory"]!.AsObject(), string.Empty).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Example_Values_AreTheDefaults()
    {
        var directory = Example()["Directory"]!.AsObject();
        foreach (var (path, type) in Sections)
        {
            var node = path.Length == 0 ? directory : directory[path]!.AsObject();
            AssertDefaults(node, Activator.CreateInstance(type)!, path);
        }
    }

    [Fact]
    public void Example_Bound_GivesTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepositoryFile("docs/appsettings.example.json")).Build();
        foreach (var (path, type) in Sections)
        {
            var section = configuration.GetSection(path.Length == 0 ? "Directory" : "Directory:" + path);
            var bound = section.Get(type) ?? Activator.CreateInstance(type)!;
            Assert.Equal(JsonSerializer.Serialize(Activator.CreateInstance(type), type), JsonSerializer.Serialize(bound, type));
        }
    }

    [Fact]
    public void Example_Logging_IsTheCodeDefaultsAndTheShippedAppsettings()
    {
        var expected = DirectoryHost.LoggingDefaults.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Logging(Example()));
        Assert.Equal(expected, Logging(JsonNode.Parse(File.ReadAllText(RepositoryFile("src/DarkMail.Directory.Server/appsettings.json")))!));
    }

    [Fact]
    public void Example_EveryKey_HasItsRowInSpecServer()
    {
        var spec = File.ReadAllText(RepositoryFile("spec/server.md"));
        var table = spec[spec.IndexOf("### 10.5", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", StringComparison.Ordinal)];
        foreach (var (key, _) in Flatten(Example()["Directory"]!.AsObject(), string.Empty))
        {
            Assert.Contains($"| `{key}` |", table, StringComparison.Ordinal);
        }
    }

    private static JsonNode Example() => JsonNode.Parse(File.ReadAllText(RepositoryFile("docs/appsettings.example.json")))!;

    private static List<KeyValuePair<string, string?>> Logging(JsonNode root) =>
        [.. root["Logging"]!["LogLevel"]!.AsObject().Select(p => new KeyValuePair<string, string?>("Logging:LogLevel:" + p.Key, p.Value!.GetValue<string>())).OrderBy(p => p.Key, StringComparer.Ordinal)];

    /// <summary>Leaf keys (colon-joined, as configuration names them) of the public settable properties, nested settings classes expanded.</summary>
    private static IEnumerable<string> Keys(string prefix, Type type)
    {
        foreach (var property in Settable(type))
        {
            var key = Join(prefix, property.Name);
            if (IsNested(property.PropertyType))
            {
                foreach (var inner in Keys(key, property.PropertyType))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Flatten(JsonObject node, string prefix)
    {
        foreach (var (name, value) in node)
        {
            var key = Join(prefix, name);
            if (value is JsonObject inner)
            {
                foreach (var pair in Flatten(inner, key))
                {
                    yield return pair;
                }
            }
            else
            {
                yield return new(key, value);
            }
        }
    }

    private static void AssertDefaults(JsonObject node, object defaults, string prefix)
    {
        foreach (var property in Settable(defaults.GetType()))
        {
            var key = Join(prefix, property.Name);
            var value = property.GetValue(defaults);
            var written = node[property.Name];
            if (IsNested(property.PropertyType))
            {
                AssertDefaults(written!.AsObject(), value!, key);
                continue;
            }

            switch (value)
            {
                case null:
                    Assert.True(written is null, $"{key}: {written}");
                    break;
                case TimeSpan span:
                    Assert.True(span == TimeSpan.Parse(written!.GetValue<string>(), CultureInfo.InvariantCulture), $"{key}: {written} is not {span:c}");
                    break;
                case IList list:
                    Assert.True(list.Count == 0 && written is JsonArray { Count: 0 }, $"{key}: {written}");
                    break;
                case bool flag:
                    Assert.True(flag == written!.GetValue<bool>(), $"{key}: {written}");
                    break;
                case int number:
                    Assert.True(number == written!.GetValue<int>(), $"{key}: {written}");
                    break;
                case string text:
                    Assert.True(text == written!.GetValue<string>(), $"{key}: {written}");
                    break;
                default:
                    Assert.Fail($"{key}: no comparison for {property.PropertyType}");
                    break;
            }
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>A settings class bound as a subsection (not a string, list or value).</summary>
    private static bool IsNested(Type type) => type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + ":" + name;

    private static string RepositoryFile(string name, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", name));
}

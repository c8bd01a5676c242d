// spec/fuzzing.md "Replay in the test suite": each target over its seeds (from the real
// vector folders) and over seeded mutations of them; a failure names the target, the input
// (hex) and, for mutations, the random seed to reproduce it.
using System.Runtime.CompilerServices;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Fuzz.Tests;

public sealed class FuzzTargetReplayTests
{
    private const int MutationsPerTarget = 3000;

    private static readonly Lazy<Vectors> Vectors = new(() => new Vectors([RepoPath("spec", "vectors"), RepoPath("..", "shared", "vectors")]));

    public static TheoryData<string> Names() => [.. Targets.All.Select(t => t.Name)];

    [Fact]
    public void The_parsers_the_issue_names_have_a_target_each_and_names_are_distinct()
    {
        Assert.Equal(
            ["signet", "leaf", "signed-note", "checkpoint", "tlog-proof", "tile-path", "witness-request", "dx-record", "descriptor", "address", "submit-json"],
            Targets.IssueTargets);
        Assert.All(Targets.IssueTargets, name => Assert.NotNull(Targets.Find(name)));
        Assert.Equal(Targets.All.Count, Targets.All.Select(t => t.Name).Distinct().Count());
        Assert.All(Targets.All, t => Assert.Matches("^[a-z][a-z-]*$", t.Name));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_target_gets_seeds_from_the_vectors_and_passes_on_each(string name)
    {
        var target = Targets.Find(name)!;
        var seeds = Corpus.Seeds(target, Vectors.Value);
        Assert.True(seeds.Count >= 5, $"{name}: only {seeds.Count} seeds from the vectors.");
        foreach (var seed in seeds)
        {
            AssertPasses(target, seed, "seed");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_target_passes_on_seeded_mutations_of_its_seeds(string name)
    {
        var target = Targets.Find(name)!;
        var seeds = Corpus.Seeds(target, Vectors.Value);
        var seed = StableSeed(name);
        var random = new Random(seed);
        for (var i = 0; i < MutationsPerTarget; i++)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Count)], seeds[random.Next(seeds.Count)]);
            AssertPasses(target, input, $"mutation {i} of random seed {seed}");
        }
    }

    [Fact]
    public void A_foreign_exception_escapes_the_check_and_the_parsers_own_error_does_not()
    {
        Assert.False(Check.Accepts<InvalidFormatException>(() => throw new InvalidFormatException("x.y", "refused")));
        Assert.True(Check.Accepts<InvalidFormatException>(() => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.Accepts<InvalidFormatException>(() => throw new ArgumentOutOfRangeException("index")));
        Assert.Throws<FuzzCheckException>(() => Check.Agree(tryForm: true, throwingForm: false, "parser"));
        Assert.Throws<FuzzCheckException>(() => Check.SameBytes([1, 2], [1, 3], "parser"));

        var crashing = new FuzzTarget("crashing", "none", _ => throw new IndexOutOfRangeException(), _ => []);
        Assert.IsType<IndexOutOfRangeException>(Corpus.Failure(crashing, [0]));
    }

    [Fact]
    public void Txt_rdata_round_trips_through_character_strings()
    {
        string[] strings = ["ver=1 pok=", new string('a', 300), string.Empty];
        var rdata = Targets.TxtRdata(strings);
        Assert.Equal(["ver=1 pok=", new string('a', 255), new string('a', 45)], Targets.TxtStrings(rdata));
        Assert.Equal(["ab"], Targets.TxtStrings([9, (byte)'a', (byte)'b'])); // a length past the end takes what is there
    }

    private static void AssertPasses(FuzzTarget target, byte[] input, string what)
    {
        if (Corpus.Failure(target, input) is { } failure)
        {
            Assert.Fail($"{target.Name}: {what} failed with {failure.GetType().FullName}: {failure.Message}\ninput (hex): {Convert.ToHexString(input)}\n{failure.StackTrace}");
        }
    }

    // AFL-like havoc, small: bit flips, interesting bytes, inserts, deletes, truncation, splices.
    private static byte[] Mutate(Random random, byte[] seed, byte[] other)
    {
        var bytes = new List<byte>(seed);
        var rounds = 1 + random.Next(8);
        for (var r = 0; r < rounds; r++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)"\0\n \"-./0:=@\\{}\x7f\xff"[random.Next(16)];
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5 when other.Length > 0:
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(64))).ToArray());
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.Insert(at, bytes[random.Next(bytes.Count)]);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    // One fixed seed per target (printed on failure), so a run is repeatable.
    private static int StableSeed(string name)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash & 0x7fffffff;
    }

    private static string RepoPath(string first, params string[] rest) => Path.GetFullPath(Path.Combine([RepoRoot(), first, .. rest]));

    // This file sits in tests/DarkMail.Directory.Fuzz.Tests/, two levels below the root.
    private static string RepoRoot([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "..", "..");
}

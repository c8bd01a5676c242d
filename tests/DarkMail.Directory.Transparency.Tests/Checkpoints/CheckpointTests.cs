using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Checkpoints;

public class CheckpointTests
{
    [Fact]
    public void FromNote_VectorCheckpoints_MatchMerkleRootsAndReformat()
    {
        foreach (var (size, note) in NoteVectors.Checkpoints())
        {
            var parsed = SignedNote.Parse(note);
            var checkpoint = Checkpoint.FromNote(parsed);
            Assert.Equal(NoteVectors.LogName, checkpoint.Origin);
            Assert.Equal(size, checkpoint.Size);
            Assert.Equal(NoteVectors.Root(size), checkpoint.RootHash.ToArray());
            Assert.Empty(checkpoint.Extensions);
            Assert.Equal(parsed.Text.ToArray(), checkpoint.Format());
        }
    }

    [Fact]
    public void Sign_VectorTreeHeads_ReproduceCheckpointNotes()
    {
        using var log = NoteVectors.LogSigner();
        foreach (var (size, note) in NoteVectors.Checkpoints())
        {
            var checkpoint = new Checkpoint(NoteVectors.LogName, size, NoteVectors.Root(size));
            Assert.Equal(note, checkpoint.Sign(log).Format());
        }
    }

    [Fact]
    public void Parse_ExtensionLines_Kept()
    {
        var text = "o\n0\n" + Convert.ToBase64String(new byte[32]) + "\next one\next two\n";
        var checkpoint = Checkpoint.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(["ext one", "ext two"], checkpoint.Extensions);
        Assert.Equal(0, checkpoint.Size);
        Assert.Equal(text, checkpoint.ToString());
    }

    public static TheoryData<string, string> Malformed()
    {
        var root = Convert.ToBase64String(new byte[32]);
        return new TheoryData<string, string>
        {
            { "o\n1\n" + root, "checkpoint.unterminated" },
            { "", "checkpoint.unterminated" },
            { "o\n1\n", "checkpoint.too-few-lines" },
            { "\n1\n" + root + "\n", "checkpoint.origin" },
            { "o\n01\n" + root + "\n", "checkpoint.size" },
            { "o\n+1\n" + root + "\n", "checkpoint.size" },
            { "o\n-1\n" + root + "\n", "checkpoint.size" },
            { "o\n1 \n" + root + "\n", "checkpoint.size" },
            { "o\n\n" + root + "\n", "checkpoint.size" },
            { "o\n9223372036854775808\n" + root + "\n", "checkpoint.size" },
            { "o\n1\n" + Convert.ToBase64String(new byte[31]) + "\n", "checkpoint.root-hash" },
            { "o\n1\n" + Convert.ToBase64String(new byte[33]) + "\n", "checkpoint.root-hash" },
            { "o\n1\n" + root[..^2] + "B=\n", "checkpoint.root-hash" },
            { "o\n1\n" + root[..^1] + "\n", "checkpoint.root-hash" },
            { "o\n1\n" + root + "\n\n", "checkpoint.empty-line" },
            { "o\n1\n" + root + "\next\n\n", "checkpoint.empty-line" },
            { "o\t\n1\n" + root + "\n", "checkpoint.text" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_ThrowsWithCode(string text, string code)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(code, Assert.Throws<InvalidFormatException>(() => Checkpoint.Parse(bytes)).Code);
        Assert.False(Checkpoint.TryParse(bytes, out _));
    }

    [Fact]
    public void Parse_TrailingGarbageWithoutNewline_Unterminated()
    {
        var bytes = NoteVectors.ParsedCheckpoint(7).Format();
        Assert.Equal("checkpoint.unterminated", Assert.Throws<InvalidFormatException>(() => Checkpoint.Parse([.. bytes, (byte)'x'])).Code);
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint("", 1, new byte[32]));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a\nb", 1, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Checkpoint("o", -1, new byte[32]));
        Assert.Throws<ArgumentException>(() => new Checkpoint("o", 1, new byte[31]));
        Assert.Throws<ArgumentException>(() => new Checkpoint("o", 1, new byte[32], [""]));
    }

    private static readonly Gen<string> LineGen = Gen.String[Gen.Char["abcxyz./-+ é€0123"], 1, 30];

    [Fact]
    public void Parse_RandomCheckpoints_RoundTrip()
    {
        Gen.Select(LineGen, Gen.Long[0, long.MaxValue], Gen.Byte.Array[32], LineGen.Array[0, 3]).Sample((origin, size, root, ext) =>
        {
            var text = new Checkpoint(origin, size, root, ext).Format();
            var parsed = Checkpoint.Parse(text);
            Assert.Equal(origin, parsed.Origin);
            Assert.Equal(size, parsed.Size);
            Assert.Equal(root, parsed.RootHash.ToArray());
            Assert.Equal(ext, parsed.Extensions);
            Assert.Equal(text, parsed.Format());
        });
    }
}

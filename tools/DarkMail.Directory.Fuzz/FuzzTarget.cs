// spec/fuzzing.md: one fuzz target per parser of outside bytes. A target feeds one input to
// the parser's public entry point and lets only the parser's own refusal pass (its error
// type or its refusal value); any other exception, or a broken property (a strict parser
// that accepts an input must give it back byte for byte, the Try and throwing forms must
// agree), escapes and is a crash for AFL++ and a failure for the replay test.
namespace DarkMail.Directory.Fuzz;

/// <param name="Name">The name scripts/fuzz and the replay test select it by.</param>
/// <param name="Parser">The public entry point it drives, for people.</param>
/// <param name="Run">Feeds one input; throws on a failure.</param>
/// <param name="Seeds">The starting corpus, taken from the spec and shared vectors.</param>
public sealed record FuzzTarget(string Name, string Parser, Action<byte[]> Run, Func<Vectors, IEnumerable<byte[]>> Seeds)
{
    public override string ToString() => Name;
}

/// <summary>A property a target checks did not hold: the parser accepted or answered something it must not.</summary>
public sealed class FuzzCheckException(string message) : Exception(message);

internal static class Check
{
    /// <summary>Runs <paramref name="parse"/>; true when it returned, false when it threw <typeparamref name="TError"/>; anything else escapes.</summary>
    public static bool Accepts<TError>(Action parse)
        where TError : Exception
    {
        try
        {
            parse();
            return true;
        }
        catch (TError)
        {
            return false;
        }
    }

    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzCheckException(what);
        }
    }

    public static void Agree(bool tryForm, bool throwingForm, string parser) =>
        That(tryForm == throwingForm, $"{parser}: the Try form says {(tryForm ? "accepted" : "refused")}, the throwing form {(throwingForm ? "accepted" : "refused")}.");

    public static void SameBytes(ReadOnlySpan<byte> input, ReadOnlySpan<byte> again, string parser) =>
        That(input.SequenceEqual(again), $"{parser}: accepted an input whose re-encoding differs ({input.Length} bytes in, {again.Length} out).");
}

// c2sp.org/tlog-cosignature, Ed25519 type 0x04: produces a witness cosignature line over a
// checkpoint note text at a given POSIX time (seconds). Only well-formed checkpoints are
// cosigned: a cosignature states the cosigner saw that tree head.
using System.Buffers.Binary;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Transparency.Cosignatures;

public sealed class CosignatureSigner : IDisposable
{
    private readonly Key key;

    public CosignatureSigner(string name, ReadOnlySpan<byte> seed)
    {
        key = Ed25519NoteSigner.ImportSeed(seed);
        Verifier = new CosignatureVerifier(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public string Name => Verifier.Name;

    public uint KeyId => Verifier.KeyId;

    public CosignatureVerifier Verifier { get; }

    /// <summary>Cosigns a checkpoint note text at <paramref name="timestamp"/> (POSIX seconds).</summary>
    public NoteSignature Sign(ReadOnlySpan<byte> checkpointText, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        if (!Checkpoint.TryParse(checkpointText, out _))
        {
            throw new ArgumentException("Only a well-formed checkpoint text can be cosigned.", nameof(checkpointText));
        }

        var message = CosignatureMessage.Build(checkpointText, timestamp);
        Span<byte> blob = stackalloc byte[CosignatureVerifier.SignatureSize];
        BinaryPrimitives.WriteUInt64BigEndian(blob, (ulong)timestamp);
        SignatureAlgorithm.Ed25519.Sign(key, message, blob[8..]);
        return new NoteSignature(Name, KeyId, blob);
    }

    /// <summary>Cosigns at the current time of <paramref name="time"/>, truncated to seconds.</summary>
    public NoteSignature Sign(ReadOnlySpan<byte> checkpointText, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Sign(checkpointText, time.GetUtcNow().ToUnixTimeSeconds());
    }

    public void Dispose() => key.Dispose();
}

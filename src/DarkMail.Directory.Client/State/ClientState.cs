// spec/cli.md "State folder": what a client remembers between runs so that a later answer
// can be checked against an earlier one: the last verified checkpoint per log origin
// (consistency, no fork, no rollback), the last version and signing key seen per address
// (custody chain, reset detection), and the POKs trusted on first use per server. One
// readable JSON file, state.json, replaced atomically (temp file, flush, rename) so a crash
// never leaves half a state behind.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DarkMail.Directory.Client.State;

public sealed class ClientState
{
    public const string FileName = "state.json";
    public const int CurrentFormat = 1;

    /// <summary>Largest state file read back (a state is small; a huge one is not ours).</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        MaxDepth = 16,
    };

    public int Format { get; set; } = CurrentFormat;

    /// <summary>Last verified checkpoint per log origin (<c>example.test/dmd</c>).</summary>
    public Dictionary<string, KeptCheckpoint> Checkpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Last verified version per normalised address.</summary>
    public Dictionary<string, KeptAddress> Addresses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The logged configuration pinned per log origin (spec/configuration.md §6).</summary>
    public Dictionary<string, KeptConfiguration> Configurations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>POKs trusted on first use, per directory URL.</summary>
    public Dictionary<string, KeptServer> Servers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Reads <c>DIR/state.json</c>; an absent folder or file is an empty state.</summary>
    public static ClientState Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return new ClientState();
        }

        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes)
        {
            throw new ClientStateException($"{path} is larger than {MaxFileBytes} bytes.");
        }

        try
        {
            var state = JsonSerializer.Deserialize<ClientState>(File.ReadAllBytes(path), Json)
                ?? throw new ClientStateException($"{path} holds JSON null.");
            if (state.Format != CurrentFormat)
            {
                throw new ClientStateException($"{path} has format {state.Format}; this dmd reads format {CurrentFormat}.");
            }

            // Dictionaries come back with the default comparer; keys are compared ordinally anyway.
            state.Checkpoints ??= new(StringComparer.Ordinal);
            state.Addresses ??= new(StringComparer.Ordinal);
            state.Servers ??= new(StringComparer.Ordinal);
            state.Configurations ??= new(StringComparer.Ordinal);
            return state;
        }
        catch (JsonException e)
        {
            throw new ClientStateException($"{path} is not a dmd state file: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Writes <c>DIR/state.json</c> atomically, creating the folder (mode 0700) when needed.</summary>
    public void Save(string directory)
    {
        AtomicFile.CreatePrivateFolder(directory);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        AtomicFile.Write(Path.Combine(directory, FileName), bytes);
    }
}

/// <summary>A checkpoint this client verified: its size, root and the signed note as served.</summary>
public sealed record KeptCheckpoint(long Size, byte[] RootHash, string Note);

/// <summary>The last version of an address this client verified, with its signing key.</summary>
public sealed record KeptAddress(uint Version, byte[] SigningKey, string Origin, long LeafIndex);

/// <summary>A configuration entry this client verified and pinned: its number, position and bytes.</summary>
public sealed record KeptConfiguration(uint Number, long LeafIndex, byte[] Entry);

/// <summary>The domain and POKs a server's descriptor was first trusted with.</summary>
public sealed record KeptServer(string Domain, IReadOnlyList<byte[]> Poks);

public sealed class ClientStateException : Exception
{
    public ClientStateException(string message)
        : base(message)
    {
    }

    public ClientStateException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ClientStateException()
        : base("The client state cannot be read.")
    {
    }
}

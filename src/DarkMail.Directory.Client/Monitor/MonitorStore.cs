// spec/audit.md "Monitor state": what the owner's monitor remembers between runs, in
// <state>/monitor.json: the checkpoint kept for the log (every answer's checkpoint must be
// consistent with it) and, per watched address, the last version checked with its label,
// leaf index, signing key and leaf. O(addresses) bytes, whatever the size of the log. The
// file is replaced whole (AtomicFile) at the end of a run, so an interrupted run leaves the
// previous state and the next run checks the same versions again. Format 1 was the
// log-following monitor's (a position in the log and a sink file); it is refused with a clear
// error rather than guessed at.
using System.Text.Json;
using System.Text.Json.Serialization;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Monitor;

public sealed class MonitorStore
{
    public const string FileName = "monitor.json";

    /// <summary>Cap on the file: a few hundred bytes per watched address.</summary>
    public const int MaxStateBytes = 16 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        MaxDepth = 16,
    };

    public MonitorStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    public string Directory { get; }

    public string StatePath => Path.Combine(Directory, FileName);

    /// <summary>The state, or an empty one when the folder holds none; anything else that is not a format-2 state is a <see cref="ClientStateException"/>.</summary>
    public MonitorState Load()
    {
        if (!File.Exists(StatePath))
        {
            return new MonitorState();
        }

        if (new FileInfo(StatePath).Length > MaxStateBytes)
        {
            throw new ClientStateException($"{StatePath} is larger than {MaxStateBytes} bytes.");
        }

        var bytes = File.ReadAllBytes(StatePath);
        MonitorState? state;
        try
        {
            var format = JsonSerializer.Deserialize<FormatOnly>(bytes, Json)?.Format;
            if (format != MonitorState.CurrentFormat)
            {
                throw new ClientStateException(format == 1
                    ? $"{StatePath} has format 1, the state of the earlier dmd monitor that read the whole log; this dmd keeps format {MonitorState.CurrentFormat}. Remove it (and the monitor-*.bin files beside it): the first run checks every version of each address from version 1."
                    : $"{StatePath} has format {format?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}; this dmd reads format {MonitorState.CurrentFormat}.");
            }

            state = JsonSerializer.Deserialize<MonitorState>(bytes, Json);
        }
        catch (JsonException e)
        {
            throw new ClientStateException($"{StatePath} is not a monitor state: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        if (state is null || state.Origin.Length == 0 || state.Addresses is null)
        {
            throw new ClientStateException($"{StatePath} is not a monitor state: origin or addresses missing.");
        }

        state.Addresses = new Dictionary<string, MonitoredAddress>(state.Addresses, StringComparer.Ordinal);
        foreach (var (address, kept) in state.Addresses)
        {
            if (!kept.IsWellFormed)
            {
                throw new ClientStateException($"{StatePath}: the entry of {address} is not a version this monitor checked (label, key, version and leaf disagree).");
            }
        }

        if (state.Checkpoint is { } checkpoint && (checkpoint.Size < 0 || checkpoint.RootHash is not { Length: 32 } || string.IsNullOrEmpty(checkpoint.Note)))
        {
            throw new ClientStateException($"{StatePath}: the kept checkpoint is malformed.");
        }

        return state;
    }

    /// <summary>Replaces the state file atomically, creating the folder (mode 0700) when needed.</summary>
    public void Save(MonitorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        AtomicFile.CreatePrivateFolder(Directory);
        AtomicFile.Write(StatePath, JsonSerializer.SerializeToUtf8Bytes(state, Json));
    }

    private sealed record FormatOnly(int? Format);
}

public sealed class MonitorState
{
    public const int CurrentFormat = 2;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>The log origin watched; a state folder watches one log.</summary>
    public string Origin { get; set; } = string.Empty;

    /// <summary>The newest checkpoint verified and found consistent with every one kept before it; null before the first run.</summary>
    public KeptCheckpoint? Checkpoint { get; set; }

    /// <summary>Per normalised address, the last version checked.</summary>
    public Dictionary<string, MonitoredAddress> Addresses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Findings reported by every run so far.</summary>
    public long FindingsTotal { get; set; }
}

/// <summary>
/// The last version of a watched address the monitor checked: the address's label, the
/// version, its leaf index and signing key, and the leaf itself (the evidence should the map
/// later deny it).
/// </summary>
public sealed record MonitoredAddress(byte[] Label, uint Version, long LeafIndex, byte[] SigningKey, byte[] Leaf)
{
    [JsonIgnore]
    internal bool IsWellFormed =>
        Label is { Length: LogLeaf.LabelSize } && SigningKey is { Length: LogLeaf.KeySize } && Version >= 1 && LeafIndex >= 0 && Leaf is not null
        && LogLeaf.TryDecode(Leaf, out var leaf)
        && leaf.Version == Version && leaf.Label.Span.SequenceEqual(Label) && leaf.SigningKey.Span.SequenceEqual(SigningKey);
}

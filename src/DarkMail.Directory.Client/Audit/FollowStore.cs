// spec/audit.md "State folder": the follower's state on disk, committed atomically. The
// sink state goes to a fresh file first, then <name>.json (which names it) replaces the
// old one by rename (AtomicFile), then sink files no longer named are deleted. A crash at
// any point leaves either the old or the new state whole; a stray sink file is harmless.
using System.Text.Json;
using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Audit;

public sealed class FollowStore
{
    /// <summary>Cap on the JSON file: notes of many kept checkpoints fit easily.</summary>
    public const int MaxStateBytes = 64 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public FollowStore(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }

    /// <summary>"audit" or "monitor": the state file is &lt;name&gt;.json.</summary>
    public string Name { get; }

    public string StatePath => Path.Combine(Directory, Name + ".json");

    /// <summary>The state, or a fresh one when the folder holds none. An unreadable state is a ClientStateException.</summary>
    public FollowState Load()
    {
        if (!File.Exists(StatePath))
        {
            return new FollowState();
        }

        try
        {
            var info = new FileInfo(StatePath);
            if (info.Length > MaxStateBytes)
            {
                throw new ClientStateException($"{StatePath} is larger than {MaxStateBytes} bytes.");
            }

            var state = JsonSerializer.Deserialize<FollowState>(File.ReadAllBytes(StatePath), Json)
                ?? throw new ClientStateException($"{StatePath} is empty.");
            if (state.Format != FollowState.CurrentFormat)
            {
                throw new ClientStateException($"{StatePath} has format {state.Format}; this dmd reads format {FollowState.CurrentFormat}.");
            }

            return state;
        }
        catch (JsonException e)
        {
            throw new ClientStateException($"{StatePath} is not a follower state: {e.Message}", e);
        }
    }

    /// <summary>The bytes of a sink file named by a position, or null for none.</summary>
    public byte[]? ReadSink(FollowPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.SinkFile is null)
        {
            return null;
        }

        if (position.SinkFile.Contains('/', StringComparison.Ordinal) || position.SinkFile.Contains('\\', StringComparison.Ordinal) || !position.SinkFile.StartsWith(Name + "-", StringComparison.Ordinal))
        {
            throw new ClientStateException($"{StatePath} names a sink file outside the state folder: {position.SinkFile}");
        }

        var path = Path.Combine(Directory, position.SinkFile);
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new ClientStateException($"{path} is missing; the state folder is incomplete.");
    }

    /// <summary>
    /// Writes <paramref name="sink"/> (when given) as the sink file of <paramref name="position"/>,
    /// then the whole state atomically, then removes sink files the state no longer names.
    /// </summary>
    public void Commit(FollowState state, FollowPosition? position, byte[]? sink)
    {
        ArgumentNullException.ThrowIfNull(state);
        System.IO.Directory.CreateDirectory(Directory);
        if (position is not null && sink is not null)
        {
            var file = $"{Name}-{position.Size}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}.bin";
            AtomicFile.Write(Path.Combine(Directory, file), sink);
            position.SinkFile = file;
        }

        AtomicFile.Write(StatePath, JsonSerializer.SerializeToUtf8Bytes(state, Json));
        var keep = new HashSet<string?>(StringComparer.Ordinal) { state.Confirmed.SinkFile, state.Progress?.SinkFile };
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, Name + "-*.bin"))
        {
            if (!keep.Contains(Path.GetFileName(path)))
            {
                File.Delete(path);
            }
        }
    }
}

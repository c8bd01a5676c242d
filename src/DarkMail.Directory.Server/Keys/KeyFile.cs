// spec/server.md "Key files": a secret is one line, padded base64 of exactly 32 bytes,
// in a file only its owner may read (0600) inside a folder only its owner may enter
// (0700). Files are written to a temporary name, flushed to disk, then renamed, and the
// folder is flushed after the rename (fsync of the directory), so a crash never leaves half
// a key nor loses a key that was reported written. A file that others may read, or that is
// not exactly one such line, stops the server: a leaked or damaged key must be looked at by
// a person.
using System.Text;

namespace DarkMail.Directory.Server.Keys;

public static class KeyFile
{
    public const int SecretSize = 32;

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Reads a 32-byte secret; throws <see cref="KeyFileException"/> when the file is exposed or malformed.</summary>
    public static byte[] ReadSecret(string path) => ReadLine(path, line =>
    {
        try
        {
            var bytes = Convert.FromBase64String(line);
            return bytes.Length == SecretSize && Convert.ToBase64String(bytes) == line ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }, "one line of padded base64 encoding exactly 32 bytes");

    /// <summary>Reads a one-line text secret (the admin token) with the same checks.</summary>
    public static string ReadText(string path, Func<string, bool> isValid, string expected) =>
        Encoding.ASCII.GetString(ReadLine(path, line => isValid(line) ? Encoding.ASCII.GetBytes(line) : null, expected));

    public static void WriteSecret(string path, ReadOnlySpan<byte> secret)
    {
        if (secret.Length != SecretSize)
        {
            throw new ArgumentException("A secret is 32 bytes.", nameof(secret));
        }

        WriteAtomically(path, Convert.ToBase64String(secret) + "\n", OwnerOnlyFile);
    }

    public static void WriteText(string path, string line) => WriteAtomically(path, line + "\n", OwnerOnlyFile);

    /// <summary>Writes a public file (mode 0644 on Unix) atomically.</summary>
    public static void WritePublic(string path, string text) =>
        WriteAtomically(path, text, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    /// <summary>Creates <paramref name="path"/> as an owner-only folder, or checks that an existing one is.</summary>
    public static void EnsurePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }

        if (!System.IO.Directory.Exists(path))
        {
            System.IO.Directory.CreateDirectory(path, OwnerOnlyFolder);
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new KeyFileException($"The key folder {path} is open to group or others (mode {Octal(mode)}); run: chmod 700 {path}");
        }
    }

    public static void CheckOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new KeyFileException($"The secret file {path} is readable or writable by group or others (mode {Octal(mode)}); run: chmod 600 {path}");
        }
    }

    private static byte[] ReadLine(string path, Func<string, byte[]?> parse, string expected)
    {
        CheckOwnerOnly(path);
        var info = new FileInfo(path);
        if (info.Length > 1024)
        {
            throw new KeyFileException($"The secret file {path} is malformed: expected {expected}.");
        }

        var text = File.ReadAllText(path, Encoding.ASCII);
        var line = text.EndsWith('\n') ? text[..^1] : text;
        var value = line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal) ? null : parse(line);
        return value ?? throw new KeyFileException($"The secret file {path} is malformed: expected {expected}.");
    }

    private static void WriteAtomically(string path, string text, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            SyncFolder(folder);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Flushes a folder's entries to disk (fsync of the directory, POSIX), so a rename into it
    /// survives a crash; nothing on Windows, where NTFS journals renames.
    /// </summary>
    public static void SyncFolder(string folder) => Storage.FolderSync.Sync(folder);

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);
}

/// <summary>A key or token file that must not be used as it is.</summary>
public sealed class KeyFileException(string message) : Exception(message);

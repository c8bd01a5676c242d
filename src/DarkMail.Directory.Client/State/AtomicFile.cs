// spec/cli.md "State folder" and "Key file": a file is replaced whole or not at all. The
// bytes go to a fresh temp file in the same folder (same file system, so the rename is
// atomic), are flushed to disk, and the temp file is renamed over the target. New files
// are created with mode 0600: they hold private keys or trust decisions.
using System.Security.Cryptography;

namespace DarkMail.Directory.Client.State;

public static class AtomicFile
{
    /// <summary>Creates <paramref name="folder"/> when absent, readable by its owner only (mode 0700): state folders hold trust decisions.</summary>
    public static void CreatePrivateFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (System.IO.Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(folder);
        }
        else
        {
            System.IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>; with <paramref name="overwrite"/> false an existing file is an IOException.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool overwrite = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw new IOException($"{path} exists; refusing to overwrite it.");
        }

        var folder = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(folder, "." + Path.GetFileName(full) + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!overwrite)
            {
                // A plain move fails when the target appeared meanwhile: no silent overwrite.
                File.Move(temp, full, overwrite: false);
            }
            else
            {
                File.Move(temp, full, overwrite: true);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}

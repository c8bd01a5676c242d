// Durable renames (POSIX): a file renamed into a folder survives a crash only once the
// folder itself is flushed (fsync of the directory). Used by the key files (Server) and the
// static tiles (spec/server.md "Static tiles"). .NET opens no directory as a file, hence libc.
using System.Runtime.InteropServices;

namespace DarkMail.Directory.Storage;

public static class FolderSync
{
    /// <summary>
    /// Flushes a folder's entries to disk (fsync of the directory, POSIX), so a rename into it
    /// survives a crash; nothing on Windows, where NTFS journals renames.
    /// </summary>
    public static void Sync(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Native.Open(folder, Native.ReadOnly | Native.CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the folder {folder} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Native.FSync(descriptor) != 0)
            {
                throw new IOException($"Cannot flush the folder {folder} to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(descriptor);
        }
    }

    /// <summary>libc open/fsync/close.</summary>
    private static class Native
    {
        public const int ReadOnly = 0;

        // O_CLOEXEC differs between Linux and the BSDs (macOS).
        public static readonly int CloseOnExec = OperatingSystem.IsLinux() ? 0x80000 : 0x1000000;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int FSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int descriptor);
    }
}

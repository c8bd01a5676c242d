// What the fixtures that run a Debian server as a child process share (tests/Shared/Nginx,
// tests/Shared/Haproxy): a loopback port found free, a wait until the child serves (probed
// over HTTP while it runs, at most 20 s), and a stop that kills the child's process tree.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Tests.Shared.Processes;

public static class ChildServer
{
    /// <summary>A loopback port free now (the caller's child may still lose it to another process).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Probes until <paramref name="serves"/> says yes while <paramref name="child"/> runs:
    /// false when the child exited first or 20 s passed.
    /// </summary>
    public static async Task<bool> WaitUntilServingAsync(Process child, Func<HttpClient, Task<bool>> serves)
    {
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(serves);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (child.HasExited)
            {
                return false;
            }

            try
            {
                if (await serves(http) && !child.HasExited)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Kills <paramref name="child"/>'s process tree and waits for it (at most 10 s).</summary>
    public static void Stop(Process child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (!child.HasExited)
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit(10_000);
        }

        child.Dispose();
    }
}

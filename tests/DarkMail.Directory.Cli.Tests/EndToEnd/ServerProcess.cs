// The real directory server (src/DarkMail.Directory.Server) as a child process on a loopback
// port with its own data folder, started as the README starts it. Its build output sits
// beside this test project's under the artifacts folder. The port is ours only once our own
// child says it listens on it (tests/Shared/Processes/ListeningProcess): no other test's
// server can be mistaken for it.
using System.Diagnostics;
using System.Net;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class ServerProcess : IDisposable
{
    private readonly ListeningProcess process;

    private ServerProcess(ListeningProcess process, string dataPath)
    {
        this.process = process;
        DataPath = dataPath;
    }

    public string Url => process.Url;

    public string DataPath { get; }

    public string TokenFile => Path.Combine(DataPath, "admin.token");

    public static string ServerDll
    {
        get
        {
            // <artifacts>/bin/DarkMail.Directory.Cli.Tests/<config>/ → <artifacts>/bin/DarkMail.Directory.Server/<config>/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(here.Parent!.Parent!.FullName, "DarkMail.Directory.Server", here.Name, "DarkMail.Directory.Server.dll");
        }
    }

    /// <param name="settings">Further `--Name value` arguments for the server.</param>
    public static async Task<ServerProcess> StartAsync(string dataPath, params string[] settings)
    {
        var child = await ListeningProcess.StartAsync(url =>
        {
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { ServerDll, "--urls", url, "--Directory:DataPath", dataPath, "--Directory:CheckpointInterval", "00:00:00.100" },
                WorkingDirectory = dataPath,

                // Request logs are not needed; the lifetime's "Now listening on" line is.
                Environment = { ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning" },
            };
            foreach (var setting in settings)
            {
                start.ArgumentList.Add(setting);
            }

            return start;
        });
        var server = new ServerProcess(child, dataPath);
        using var http = new HttpClient { BaseAddress = new Uri(child.Url), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // Listening already; wait (on the condition, not a fixed time) until it serves.
            using (var response = await http.GetAsync("/log/checkpoint"))
            {
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(server.TokenFile))
                {
                    return server;
                }
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                var output = child.Output;
                server.Dispose();
                throw new TimeoutException($"The server listens but did not serve its checkpoint within 60 seconds: {output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The child's process id (tests that suspend it with SIGSTOP).</summary>
    public int ProcessId => process.Process.Id;

    public void Dispose() => process.Dispose();
}

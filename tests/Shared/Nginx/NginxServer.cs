// Debian's nginx as a child process serving one folder on a loopback port (issue 12: the
// static tiles any web server can serve). Everything nginx writes stays in a temporary
// folder of its own: the configuration, pid file, error and access logs and the temp paths.
// `daemon off` keeps the master our child, so stopping it is killing its process tree. Run
// as root, nginx's workers drop to `nobody`: they read the served folder exactly as a web
// server's own user would, so the test also shows the files are readable by another user.
// A port found free can be taken before nginx binds it; then nginx exits ("Address already
// in use") and it is started again on another port.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Tests.Shared.Nginx;

public sealed class NginxServer : IDisposable
{
    public const string Binary = "/usr/sbin/nginx";

    private readonly Process process;
    private readonly string folder;
    private bool stopped;

    private NginxServer(Process process, string folder, Uri url)
    {
        this.process = process;
        this.folder = folder;
        Url = url;
    }

    /// <summary>The base URL, ending in '/'.</summary>
    public Uri Url { get; }

    /// <summary>nginx's access log so far (one line per request: method, path, status).</summary>
    public string AccessLog => File.Exists(Path.Combine(folder, "access.log")) ? File.ReadAllText(Path.Combine(folder, "access.log")) : string.Empty;

    /// <summary>Serves <paramref name="root"/> on a free loopback port until disposed.</summary>
    public static async Task<NginxServer> StartAsync(string root, int attempts = 5)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is not installed (scripts/test installs Debian's nginx-light).");
        }

        for (var attempt = 1; ; attempt++)
        {
            var folder = System.IO.Directory.CreateTempSubdirectory("dmd-nginx-").FullName;
            var port = ChildServer.FreePort();
            var config = Path.Combine(folder, "nginx.conf");
            File.WriteAllText(config, Config(folder, root, port));
            var start = new ProcessStartInfo(Binary)
            {
                ArgumentList = { "-c", config, "-p", folder + "/", "-e", Path.Combine(folder, "error.log") },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            var child = Process.Start(start)!;
            var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            if (await WaitUntilServingAsync(child, url))
            {
                return new NginxServer(child, folder, url);
            }

            var log = File.Exists(Path.Combine(folder, "error.log")) ? File.ReadAllText(Path.Combine(folder, "error.log")) : string.Empty;
            ChildServer.Stop(child);
            System.IO.Directory.Delete(folder, recursive: true);
            if (attempt >= attempts || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"nginx did not serve on port {port} (attempt {attempt}): {log}");
            }
        }
    }

    private static string Config(string folder, string root, int port)
    {
        var runAsRoot = Environment.UserName == "root" ? "user nobody nogroup;\n" : string.Empty;
        return $$"""
            {{runAsRoot}}daemon off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log info;
            events { worker_connections 64; }
            http {
                access_log {{folder}}/access.log;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                default_type application/octet-stream;
                server {
                    listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}};
                    root {{root}};
                    location / { }
                }
            }

            """;
    }

    // Only our nginx answers this probe with nginx's 404 while our child runs.
    private static Task<bool> WaitUntilServingAsync(Process child, Uri url) => ChildServer.WaitUntilServingAsync(child, async http =>
    {
        using var response = await http.GetAsync(new Uri(url, "dmd-nginx-probe"));
        return response.StatusCode == HttpStatusCode.NotFound && response.Headers.Server.ToString().Contains("nginx", StringComparison.Ordinal);
    });

    /// <summary>Stops nginx (its URL then refuses connections); the logs stay readable until disposed.</summary>
    public void Stop()
    {
        if (!stopped)
        {
            stopped = true;
            ChildServer.Stop(process);
        }
    }

    public void Dispose()
    {
        Stop();
        System.IO.Directory.Delete(folder, recursive: true);
    }
}

// A throwaway PostgreSQL cluster for tests (issue 12): Debian's postgresql binaries (the
// newest /usr/lib/postgresql/<version>/bin), initdb into a temporary folder, pg_ctl start on
// a free loopback port with the Unix socket in that folder, as an unprivileged user (the
// `postgres` system user through runuser when the tests run as root). Durability is off
// (fsync, synchronous_commit, full_page_writes): a crash of the test cluster loses nothing
// anyone needs, and every commit then costs no disk flush. One cluster per test process
// (Shared), stopped and deleted when the process exits; each test takes a database of its
// own (CreateDatabase, optionally cloned from a template) and drops it afterwards.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DarkMail.Directory.Tests.Postgres;

internal sealed class PostgresCluster : IDisposable
{
    /// <summary>The superuser initdb creates (trust authentication on loopback only).</summary>
    public const string User = "dmd";

    private static readonly Lazy<PostgresCluster> SharedCluster = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int databases;

    private readonly string pgCtl;
    private readonly string dataFolder;
    private bool disposed;

    private PostgresCluster(string binFolder, string folder, int port)
    {
        Folder = folder;
        Port = port;
        pgCtl = Path.Combine(binFolder, "pg_ctl");
        dataFolder = Path.Combine(folder, "data");
    }

    /// <summary>The test process's cluster, started on first use and stopped when the process exits.</summary>
    public static PostgresCluster Shared => SharedCluster.Value;

    public string Folder { get; }

    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> on this cluster (pooling on).</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Database = database,
    }.ToString();

    /// <summary>Creates an empty database (a copy of <paramref name="template"/> when given) and returns its name.</summary>
    public string CreateDatabase(string? template = null)
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref databases)}";
        Execute($"CREATE DATABASE \"{name}\"" + (template is null ? string.Empty : $" TEMPLATE \"{template}\""));
        return name;
    }

    /// <summary>Drops <paramref name="database"/>, closing whatever connections are still open on it.</summary>
    public void DropDatabase(string database)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString(database)));
        Execute($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
    }

    /// <summary>Runs one statement on the maintenance database.</summary>
    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The bin folder of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout).</summary>
    public static string FindBinFolder()
    {
        const string root = "/usr/lib/postgresql";
        var newest = System.IO.Directory.Exists(root)
            ? System.IO.Directory.GetDirectories(root)
                .Select(d => (Folder: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Folder, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Folder, "bin"))
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            $"No PostgreSQL server under {root}: install Debian's postgresql package (scripts/test does).");
    }

    private static PostgresCluster Start()
    {
        var bin = FindBinFolder();
        var folder = System.IO.Directory.CreateTempSubdirectory("dmd-pg-").FullName;
        try
        {
            if (IsRoot)
            {
                // initdb and postgres refuse root: the cluster belongs to the postgres system user.
                Run("chown", "-R", "postgres:postgres", folder);
            }

            RunAs(Path.Combine(bin, "initdb"), "-D", Path.Combine(folder, "data"), "-U", User, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions");
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var cluster = new PostgresCluster(bin, folder, port);
                try
                {
                    cluster.StartServer();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopDetached();
                    return cluster;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // Another process took the port between FreePort and the server's bind.
                }
            }
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
    }

    private void StartServer()
    {
        var options = string.Join(' ',
            "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", Folder,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=300");
        RunAs(pgCtl, "-D", dataFolder, "-l", Path.Combine(Folder, "server.log"), "-o", options, "-w", "-t", "60", "start");
    }

    /// <summary>
    /// Stops the server and deletes the folder from a process of its own session: the test
    /// host is killed soon after its exit handlers start, before a stop it waited for ends.
    /// </summary>
    private void StopDetached()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        var stop = (IsRoot ? "runuser -u postgres -- " : string.Empty) + $"'{pgCtl}' -D '{dataFolder}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{Folder}'";
        var start = new ProcessStartInfo("setsid", ["sh", "-c", stop]) { UseShellExecute = false };
        using var _ = Process.Start(start);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            RunAs(pgCtl, "-D", dataFolder, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the folder goes anyway.
        }

        TryDelete(Folder);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static void RunAs(string file, params string[] arguments) =>
        Run(IsRoot ? "runuser" : file, IsRoot ? ["-u", "postgres", "--", file, .. arguments] : arguments);

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not finish in 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

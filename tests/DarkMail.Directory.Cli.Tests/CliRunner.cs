// Runs dmd through its entry point (DmdApp.RunAsync) with captured output, a fixed clock,
// and HTTP answered by an in-memory TestDirectory (no sockets) or a real loopback address.
using DarkMail.Directory.Client.Tests;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Cli.Tests;

public sealed record CliRun(int ExitCode, string Out, string Err);

public static class CliRunner
{
    public static async Task<CliRun> RunAsync(TestDirectory? directory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new DmdContext(output, error, new FakeTimeProvider(TestDirectory.Now),
            directory is null ? null : () => new Forwarder(directory));
        var code = await DmdApp.RunAsync(args, context);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs against real HTTP with the system clock (end-to-end tests).</summary>
    public static async Task<CliRun> RunRealAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await DmdApp.RunAsync(args, new DmdContext(output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Hands requests to the shared directory without letting HttpClient dispose it.</summary>
    private sealed class Forwarder(TestDirectory directory) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker invoker = new(directory, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            invoker.SendAsync(request, cancellationToken);
    }
}

public static class CliRunAssert
{
    /// <summary>Asserts the exit code, showing standard error when it differs.</summary>
    public static void AssertExit(this CliRun run, int expected) =>
        Assert.True(run.ExitCode == expected, $"exit {run.ExitCode}, expected {expected}: {run.Err}");
}

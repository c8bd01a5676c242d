// What a dmd run takes from its surroundings: output streams, the clock, and how HTTP
// connections are made. Tests pass their own; Program passes the console's.
namespace DarkMail.Directory.Cli;

public sealed class DmdContext
{
    public DmdContext(TextWriter output, TextWriter error, TimeProvider? time = null, Func<HttpMessageHandler>? createHandler = null)
    {
        Out = output;
        Err = error;
        Time = time ?? TimeProvider.System;
        CreateHandler = createHandler ?? Client.Http.DirectoryHttpClient.CreateHandler;
        customHandler = createHandler;
    }

    private readonly Func<HttpMessageHandler>? customHandler;

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public TimeProvider Time { get; }

    public Func<HttpMessageHandler> CreateHandler { get; }

    /// <summary>
    /// The handler for URLs taken from DNS (`dmd lookup --resolver`): by default it refuses
    /// non-global destinations at connect time (discovery.md §9.2), loopback allowed only
    /// with --allow-http; a handler a test passed is used as given.
    /// </summary>
    public HttpMessageHandler CreateDiscoveryHandler(bool allowHttp) =>
        customHandler?.Invoke() ?? new Client.Http.OutboundGuard(allowLoopback: allowHttp).CreateHandler();
}

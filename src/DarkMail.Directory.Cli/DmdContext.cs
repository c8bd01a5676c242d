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
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public TimeProvider Time { get; }

    public Func<HttpMessageHandler> CreateHandler { get; }
}

using DarkMail.Directory.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await DmdApp.RunAsync(args, new DmdContext(Console.Out, Console.Error), cancel.Token).ConfigureAwait(false);

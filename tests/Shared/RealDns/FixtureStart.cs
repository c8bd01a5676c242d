// Starting a fixture that runs real processes: xunit does not dispose a fixture whose
// InitializeAsync threw, so whatever started before the failure is stopped here.
namespace DarkMail.Directory.Tests.RealDns;

internal static class FixtureStart
{
    public static async Task OrDisposeAsync(IAsyncLifetime fixture, Func<Task> start)
    {
        try
        {
            await start();
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }
}

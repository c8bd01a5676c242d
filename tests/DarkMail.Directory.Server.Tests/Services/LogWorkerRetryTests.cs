// LogWorker's failure path (spec/server.md §6.2 "A failed batch leaves nothing behind and
// is retried after one second"): while the store refuses the sequencer's batch (its
// log_state table renamed away from another connection, so every batch fails with a real
// SQLite error), the worker logs the failure, integrates nothing and keeps retrying; once
// the table is back, the submission accepted meanwhile is integrated and served. Without
// the worker's catch-and-retry, the first failure would end the background service and the
// key would never be served. Waits poll conditions with generous deadlines.
using System.Collections.Concurrent;
using System.Net;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class LogWorkerRetryTests
{
    [Fact]
    public async Task ExecuteAsync_BatchFailsUntilTheStoreIsRepaired_LogsRetriesThenIntegrates()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new DirectoryFactory(configureServices: s => s.AddSingleton<ILoggerProvider>(logs));
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        var database = Path.Combine(factory.DataPath, "directory.db");
        var before = (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size;

        await ExecuteAsync(database, "ALTER TABLE log_state RENAME TO log_state_away");
        using var alice = TestUser.Create("alice@example.test");
        using (var accepted = await client.SubmitAsync(alice.Publish(), await client.EnrollAsync(alice.Address), wait: false))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await WaitUntilAsync(() => logs.Failures >= 2, "two failed batches (a retry) logged");
        Assert.Equal(before, (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size);
        Assert.Contains(logs.Messages, m => m.Contains("Sequencing failed; retrying in one second", StringComparison.Ordinal));

        await ExecuteAsync(database, "ALTER TABLE log_state_away RENAME TO log_state");
        await WaitUntilAsync(async () => (await client.Http.GetAsync(new Uri("/v1/keys/" + alice.Address, UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            "the key served after the repair");
        Assert.Equal(before + 1, (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size);
        Assert.Equal(1u, (await client.GetKeyAsync(alice.Address)).SignetDecoded.Version);
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(50);
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> messages = new();
        private int failures;

        public IEnumerable<string> Messages => messages;

        public int Failures => Volatile.Read(ref failures);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                owner.messages.Enqueue(message);
                if (logLevel == LogLevel.Error && category.EndsWith(".LogWorker", StringComparison.Ordinal) && exception is not null)
                {
                    Interlocked.Increment(ref owner.failures);
                }
            }
        }
    }
}

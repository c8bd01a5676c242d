// spec/server.md §6.1, §6.2: the hot write paths (the group commit, the sequencer) run plain
// indexed SQL on the EF context's own connection and transaction, so one transaction still
// covers everything they write, without change tracking or query translation per row. The
// SQL is valid on SQLite and PostgreSQL alike; parameters are written $name and renamed for
// Npgsql once per command (DirectoryDatabase.Dialect).
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DarkMail.Directory.Storage;

internal static class SqlCommands
{
    /// <summary>A command on <paramref name="context"/>'s open connection, in its current transaction, with these parameters (all null).</summary>
    public static DbCommand Create(DirectoryDbContext context, string sql, params string[] parameterNames)
    {
        var connection = context.Database.GetDbConnection();
        var command = connection.CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = DirectoryDatabase.Dialect(connection, sql, parameterNames);
        var sqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
        foreach (var name in parameterNames)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = sqlite ? name : name[1..];
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Sets the parameters in order (null as SQL NULL) and returns the command.</summary>
    public static DbCommand With(this DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}

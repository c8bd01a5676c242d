// spec/server.md §6.1, §6.2: the hot write paths (the group commit, the sequencer) run plain
// indexed SQL on the EF context's own connection and transaction, so one transaction still
// covers everything they write, without change tracking or query translation per row.
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DarkMail.Directory.Storage;

internal static class SqlCommands
{
    /// <summary>A command on <paramref name="context"/>'s open connection, in its current transaction, with these parameters (all null).</summary>
    public static SqliteCommand Create(DirectoryDbContext context, string sql, params string[] parameterNames)
    {
        var command = (SqliteCommand)context.Database.GetDbConnection().CreateCommand();
        command.Transaction = (SqliteTransaction?)context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>Sets the parameters in order (null as SQL NULL) and returns the command.</summary>
    public static SqliteCommand With(this SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}

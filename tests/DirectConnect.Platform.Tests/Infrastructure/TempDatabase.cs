using Microsoft.Data.Sqlite;

namespace DirectConnect.Platform.Tests.Infrastructure;

/// <summary>A database file of its own under the temp directory, deleted (with its WAL and any sibling files) afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly List<string> _siblings = [];

    public TempDatabase() =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dc-coordination-{Guid.NewGuid():N}.db");

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Another file next to the database (an output file of a test process), deleted with it.</summary>
    public string Sibling(string suffix)
    {
        var path = Path + "." + suffix;
        _siblings.Add(path);
        return path;
    }

    /// <summary>A raw connection, for looking at what the adapter wrote (dead letters, the event log).</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; let them go before deleting it.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" }.Concat(_siblings))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // best effort: a file still held by a process that is going away
            }
        }
    }
}

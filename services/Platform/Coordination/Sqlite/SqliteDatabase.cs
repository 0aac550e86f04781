using DirectConnect.Platform.Hosting;
using Microsoft.Data.Sqlite;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// The coordination database: one SQLite file in WAL mode that several processes on one machine
/// may share. SQLite serialises writers, so a write transaction (BEGIN IMMEDIATE) sees the latest
/// committed state and its ETag checks cannot race with another process.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    /// <summary>Opens (creating when needed) the database at <paramref name="path"/>.</summary>
    public SqliteDatabase(string path)
    {
        var full = Path.GetFullPath(path);
        OwnerOnly.EnsureDirectory(Path.GetDirectoryName(full)!);
        // Created 0600 before SQLite opens it (SQLite would create it 0644), and SQLite gives the
        // -wal and -shm files the database file's mode; existing ones are narrowed to it.
        OwnerOnly.EnsureFile(full);
        foreach (var companion in (string[])[full + "-wal", full + "-shm", full + "-journal"])
        {
            OwnerOnly.TryRestrict(companion, OwnerOnly.FileMode);
        }

        FilePath = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds have passed.
            DefaultTimeout = 30,
        }.ToString();
        EnsureSchema();
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Opens a pooled connection with this project's per-connection settings.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // NORMAL in WAL mode: a committed transaction survives a process crash (it is in the WAL);
        // only an OS crash or power loss can lose the last commits, never corrupt the file.
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void EnsureSchema()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS state (
                key        TEXT    NOT NULL PRIMARY KEY,
                value      BLOB    NOT NULL,
                etag       TEXT    NOT NULL,
                expires_at INTEGER NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS events (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                id          TEXT    NOT NULL,
                topic       TEXT    NOT NULL,
                type        TEXT    NOT NULL,
                source      TEXT    NOT NULL,
                time        INTEGER NOT NULL,
                traceparent TEXT    NULL,
                data        BLOB    NOT NULL
            );
            CREATE INDEX IF NOT EXISTS events_by_topic ON events (topic, seq);
            CREATE TABLE IF NOT EXISTS subscriptions (
                name        TEXT    NOT NULL PRIMARY KEY,
                topic       TEXT    NOT NULL,
                position    INTEGER NOT NULL,
                lease_owner TEXT    NULL,
                lease_until INTEGER NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS dead_letters (
                subscription TEXT    NOT NULL,
                seq          INTEGER NOT NULL,
                reason       TEXT    NOT NULL,
                time         INTEGER NOT NULL,
                PRIMARY KEY (subscription, seq)
            ) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }
}

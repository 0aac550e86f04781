using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DirectConnect.Platform.Hosting;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// The coordination database: one SQLite file in WAL mode that several processes on one machine
/// may share. SQLite serialises writers, so a write transaction (BEGIN IMMEDIATE) sees the latest
/// committed state and its ETag checks cannot race with another process.
/// </summary>
/// <remarks>
/// Every write transaction of a file in this process goes through one gate (<see cref="BeginWriteAsync"/>),
/// so writers of this process queue for each other instead of meeting SQLITE_BUSY — on which
/// Microsoft.Data.Sqlite would sleep a fixed 150 ms. A writer of another process may still hold the
/// lock: then SQLite's own busy handler (<c>busy_timeout</c>) waits in steps of a few milliseconds.
/// </remarks>
public sealed class SqliteDatabase
{
    /// <summary>How long a writer waits for another process's write transaction before failing.</summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    // One gate per file and process: two SqliteDatabase instances on one file (two hosts in one
    // process) must queue behind each other too.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    // The native handles that already have this project's settings: a pooled connection keeps its
    // handle, and its PRAGMAs with it, so they run once per handle rather than on every open.
    private static readonly ConditionalWeakTable<sqlite3, object> Prepared = [];
    private static readonly object Marker = new();

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate;
    private long _lockedByOtherConnection;

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
        _writeGate = WriteGates.GetOrAdd(full, _ => new SemaphoreSlim(1, 1));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds have passed; with
            // busy_timeout set, SQLite has waited that long already before it answers busy.
            DefaultTimeout = 30,
        }.ToString();
        EnsureSchema();
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// How many write transactions of this process found the write lock held by another connection
    /// (another process's: those of this process queue at the gate) and had to wait for it.
    /// </summary>
    public long LockedByOtherConnection => Interlocked.Read(ref _lockedByOtherConnection);

    /// <summary>Opens a pooled connection with this project's per-connection settings.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var handle = connection.Handle!;
        if (!Prepared.TryGetValue(handle, out _))
        {
            using var pragma = connection.CreateCommand();
            // NORMAL in WAL mode: a committed transaction survives a process crash (it is in the WAL);
            // only an OS crash or power loss can lose the last commits, never corrupt the file.
            pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds};";
            pragma.ExecuteNonQuery();
            Prepared.AddOrUpdate(handle, Marker);
        }

        return connection;
    }

    /// <summary>
    /// Starts a write transaction (BEGIN IMMEDIATE) once every earlier write transaction of this
    /// process on this file has ended. Dispose the result to end it (rolled back unless committed).
    /// </summary>
    public async Task<SqliteWrite> BeginWriteAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return StartWrite();
    }

    /// <summary><see cref="BeginWriteAsync"/> for the few callers that cannot wait asynchronously (start-up, shutdown).</summary>
    public SqliteWrite BeginWrite()
    {
        _writeGate.Wait();
        return StartWrite();
    }

    private SqliteWrite StartWrite()
    {
        SqliteConnection? connection = null;
        try
        {
            connection = Open();
            var handle = connection.Handle!;
            // First without waiting, to count the transactions that meet another connection's lock;
            // then with SQLite's busy handler, which retries in small steps.
            raw.sqlite3_busy_timeout(handle, 0);
            var rc = raw.sqlite3_exec(handle, "BEGIN IMMEDIATE");
            raw.sqlite3_busy_timeout(handle, BusyTimeoutMilliseconds);
            if ((rc & 0xff) == raw.SQLITE_BUSY)
            {
                Interlocked.Increment(ref _lockedByOtherConnection);
                rc = raw.sqlite3_exec(handle, "BEGIN IMMEDIATE");
            }

            SqliteException.ThrowExceptionForRC(rc, handle);
            return new SqliteWrite(connection, _writeGate);
        }
        catch
        {
            connection?.Dispose();
            _writeGate.Release();
            throw;
        }
    }

    private void EnsureSchema()
    {
        // WAL first, outside a transaction (journal_mode cannot change inside one).
        using (var connection = Open())
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using var write = BeginWrite();
        using var command = write.Connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS state (
                key        TEXT    NOT NULL PRIMARY KEY,
                value      BLOB    NOT NULL,
                etag       TEXT    NOT NULL,
                expires_at INTEGER NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS state_by_expiry ON state (expires_at) WHERE expires_at IS NOT NULL;
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
        write.Commit();
    }
}

/// <summary>
/// One write transaction, holding this process's write gate of its file until disposed. Commands
/// run on <see cref="Connection"/> (the transaction is SQLite's own, begun with BEGIN IMMEDIATE).
/// </summary>
public sealed class SqliteWrite : IDisposable
{
    private readonly SemaphoreSlim _gate;
    private bool _disposed;

    internal SqliteWrite(SqliteConnection connection, SemaphoreSlim gate)
    {
        Connection = connection;
        _gate = gate;
    }

    /// <summary>The connection inside the transaction.</summary>
    public SqliteConnection Connection { get; }

    /// <summary>Commits the transaction.</summary>
    public void Commit() => SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(Connection.Handle!, "COMMIT"), Connection.Handle);

    /// <summary>Rolls back what was not committed, returns the connection to the pool and opens the gate.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            var handle = Connection.Handle;
            if (handle is not null && raw.sqlite3_get_autocommit(handle) == 0)
            {
                raw.sqlite3_exec(handle, "ROLLBACK");
            }

            Connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}

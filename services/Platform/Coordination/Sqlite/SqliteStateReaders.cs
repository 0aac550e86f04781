using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Long-lived read connections of one database, each with its state lookup prepared once: a read
/// rents one, runs the prepared statement and gives it back, instead of opening a pooled connection
/// and preparing a new statement every time. Each read is its own statement in autocommit mode, so it
/// starts a new read transaction and sees every commit of other connections and processes (WAL); the
/// statement is reset before the connection goes back, which ends that read transaction, so no idle
/// connection holds an old snapshot (or keeps a checkpoint from the log).
/// </summary>
internal sealed class SqliteStateReaders(SqliteDatabase database) : IDisposable
{
    // More idle connections than readers that run at once buy nothing; beyond this, a returned one is closed.
    private static readonly int MaxIdle = Math.Max(4, Environment.ProcessorCount * 2);

    private readonly ConcurrentStack<StateReader> _idle = new();
    private long _opened;
    private volatile bool _disposed;

    /// <summary>How many read connections have been opened so far.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Looks up each of <paramref name="keys"/>, adding to <paramref name="found"/> those that exist and have not expired at <paramref name="now"/>.</summary>
    public void Read(IEnumerable<string> keys, long now, Dictionary<string, StateItem> found)
    {
        var reader = Rent();
        try
        {
            foreach (var key in keys)
            {
                if (reader.Read(key, now) is { } item)
                {
                    found[key] = item;
                }
            }
        }
        catch
        {
            reader.Dispose(); // a connection that failed is not handed out again
            throw;
        }

        Return(reader);
    }

    /// <summary>Closes the idle connections; a read still running closes its own when it ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var reader))
        {
            reader.Dispose();
        }
    }

    private StateReader Rent()
    {
        if (_idle.TryPop(out var reader))
        {
            return reader;
        }

        Interlocked.Increment(ref _opened);
        return new StateReader(database.Open());
    }

    private void Return(StateReader reader)
    {
        if (_disposed || _idle.Count >= MaxIdle)
        {
            reader.Dispose();
            return;
        }

        _idle.Push(reader);
        if (_disposed && _idle.TryPop(out var late))
        {
            late.Dispose(); // disposed while this one was being returned
        }
    }

    /// <summary>
    /// One read connection and its lookup, prepared once and run through SQLite's own interface (SQLitePCLRaw, which
    /// Microsoft.Data.Sqlite is built on): a point read is a bind, a step and a reset, without the data reader, the
    /// statement enumeration and the parameter binding that <see cref="SqliteCommand"/> repeats on every execution.
    /// The connection's busy handler (<c>busy_timeout</c>) waits out a lock as it does for commands.
    /// </summary>
    private sealed class StateReader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _lookup;

        public StateReader(SqliteConnection connection)
        {
            _connection = connection;
            var db = connection.Handle!;
            var rc = raw.sqlite3_prepare_v2(db, "SELECT value, etag, expires_at FROM state WHERE key = ?1", out _lookup);
            if (rc != raw.SQLITE_OK)
            {
                connection.Dispose();
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        public StateItem? Read(string key, long now)
        {
            var db = _connection.Handle!;
            try
            {
                Check(raw.sqlite3_bind_text(_lookup, 1, key), db);
                var rc = raw.sqlite3_step(_lookup);
                if (rc == raw.SQLITE_DONE)
                {
                    return null;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }

                var expires = raw.sqlite3_column_type(_lookup, 2) == raw.SQLITE_NULL ? (long?)null : raw.sqlite3_column_int64(_lookup, 2);
                return expires is null || expires > now
                    ? new StateItem(key, raw.sqlite3_column_blob(_lookup, 0).ToArray(), raw.sqlite3_column_text(_lookup, 1).utf8_to_string())
                    : null;
            }
            finally
            {
                // Ends the statement's read transaction, so that an idle connection holds no snapshot.
                raw.sqlite3_reset(_lookup);
            }
        }

        public void Dispose()
        {
            _lookup.Dispose();
            _connection.Dispose();
        }

        private static void Check(int rc, sqlite3 db)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Errors;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Opens watches, both forms (gRPC and server-sent events), within their bounds: at most
/// <see cref="WatchOptions.MaxStreamsPerAccount"/> open at once per account in this process (one
/// more is RESOURCE_EXHAUSTED, reason <see cref="LimitExceeded"/>), each for at most
/// <see cref="WatchOptions.MaxStreamDuration"/>, after which its changes end cleanly and the client
/// resumes from the last position it got, missing nothing. Each open watch re-reads the state store,
/// so their number and age are what a single caller could otherwise grow without end.
/// </summary>
public sealed class WatchStreams
{
    /// <summary>The ErrorInfo reason of a watch beyond the account's limit.</summary>
    public const string LimitExceeded = "WATCH_LIMIT_EXCEEDED";

    private readonly ChangeFeedReader _reader;
    private readonly TimeProvider _clock;
    private readonly int _maxStreams;
    private readonly TimeSpan _maxDuration;
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Creates the limiter from <paramref name="options"/>, refusing limits that allow no watch.</summary>
    public WatchStreams(ChangeFeedReader reader, IOptions<WatchOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = reader;
        _clock = clock;
        _maxStreams = options.Value.MaxStreamsPerAccount;
        _maxDuration = options.Value.MaxStreamDuration;
        if (_maxStreams < 1 || _maxDuration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{WatchOptions.Section}: MaxStreamsPerAccount must be at least 1 and MaxStreamDuration positive.");
        }
    }

    /// <summary>How many watches <paramref name="accountId"/> has open in this process.</summary>
    public int OpenCount(string accountId)
    {
        lock (_open)
        {
            return _open.GetValueOrDefault(accountId);
        }
    }

    /// <summary>
    /// Takes one of <paramref name="accountId"/>'s slots (or throws RESOURCE_EXHAUSTED) and opens its feed of
    /// <paramref name="region"/> after <paramref name="afterPosition"/>. Dispose the watch to give the slot back;
    /// its changes end when the client goes away (<paramref name="requestAborted"/>) or the lifetime is over.
    /// </summary>
    public async Task<OpenWatch> OpenAsync(string accountId, string region, long afterPosition, bool startAtHead, CancellationToken requestAborted)
    {
        Acquire(accountId);
        var lifetime = new CancellationTokenSource(_maxDuration, _clock);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.Token);
        var watch = new OpenWatch(this, accountId, lifetime, linked);
        try
        {
            var (start, changes) = await _reader.OpenAsync(region, accountId, afterPosition, startAtHead, linked.Token);
            watch.StartPosition = start;
            watch.Changes = EndingWithTheLifetime(changes, lifetime.Token, requestAborted);
            return watch;
        }
        catch
        {
            watch.Dispose();
            throw;
        }
    }

    private void Acquire(string accountId)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(accountId);
            if (open >= _maxStreams)
            {
                throw new DomainException(ErrorCode.ResourceExhausted, LimitExceeded,
                    $"Account '{accountId}' already has {open} watch streams open; the limit is {_maxStreams}. Close one, or share one stream.")
                {
                    Metadata = new Dictionary<string, string>
                    {
                        ["limit"] = _maxStreams.ToString(CultureInfo.InvariantCulture),
                        ["open"] = open.ToString(CultureInfo.InvariantCulture),
                    },
                    QuotaViolations = [new QuotaViolation($"account:{accountId}", $"at most {_maxStreams} concurrent watch streams per account")],
                };
            }

            _open[accountId] = open + 1;
        }
    }

    private void Release(string accountId)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(accountId);
            if (open <= 1)
            {
                _open.Remove(accountId); // idle accounts leave nothing behind
            }
            else
            {
                _open[accountId] = open - 1;
            }
        }
    }

    // The feed ends quietly when the lifetime is over, between two changes: every change handed out was
    // complete, so resuming after the last one misses nothing. The client going away stays an error (cancelled).
    private static async IAsyncEnumerable<Change> EndingWithTheLifetime(IAsyncEnumerable<Change> changes, CancellationToken lifetime,
        CancellationToken requestAborted, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var enumerator = changes.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested && !requestAborted.IsCancellationRequested &&
                                                       !cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            yield return enumerator.Current;
        }
    }

    /// <summary>One open watch: its changes, and its account's slot until disposed.</summary>
    public sealed class OpenWatch : IDisposable
    {
        private readonly WatchStreams _owner;
        private readonly string _accountId;
        private readonly CancellationTokenSource _lifetime;
        private readonly CancellationTokenSource _linked;
        private int _disposed;

        internal OpenWatch(WatchStreams owner, string accountId, CancellationTokenSource lifetime, CancellationTokenSource linked)
        {
            _owner = owner;
            _accountId = accountId;
            _lifetime = lifetime;
            _linked = linked;
        }

        /// <summary>The position the watch starts after: the changes have greater ones.</summary>
        public long StartPosition { get; internal set; }

        /// <summary>The changes, in order, until the client goes away or the watch's lifetime is over.</summary>
        public IAsyncEnumerable<Change> Changes { get; internal set; } = AsyncEnumerable.Empty<Change>();

        /// <summary>Gives the slot back (once).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _linked.Dispose();
                _lifetime.Dispose();
                _owner.Release(_accountId);
            }
        }
    }
}

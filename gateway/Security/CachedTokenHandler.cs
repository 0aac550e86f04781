using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// Remembers the bearer tokens that passed <paramref name="inner"/>'s validation, so that a client sending the same
/// token on every call has it parsed and its signature checked once, not on every call. An entry is used until the
/// token expires (<c>exp</c>, on <paramref name="clock"/>) or <paramref name="maxEntryLife"/> after it was validated,
/// whichever comes first; then the token goes through the full validation again. Only successes are kept: a refused
/// token is validated (and refused) each time. At most <paramref name="capacity"/> tokens are kept; the least recently
/// used one makes room for a new one, so a flood of distinct tokens cannot grow memory.
/// </summary>
/// <remarks>
/// Everything the validation checks either holds for the whole life of a valid token or is bounded by the entry's life:
/// issuer, audience and signature are properties of the token's text (the key, and the cache, are per scheme); the
/// lifetime check is monotone (a token that is valid stays valid until <c>exp</c>, the cap on lifetimes included). The
/// one input that can change is the set of signing keys an OIDC authority publishes: a token signed with a key the
/// authority removed is accepted for at most <paramref name="maxEntryLife"/> after its last full validation — the gateway
/// itself only notices a removed key when it refreshes the authority's metadata, which by default it does every 12 hours.
/// A handler serves one authentication scheme: its validation parameters are the same on every call.
/// </remarks>
public sealed class CachedTokenHandler(TokenHandler inner, TimeProvider clock, int capacity, TimeSpan maxEntryLife) : TokenHandler
{
    /// <summary>How many tokens the gateway keeps: far more than the clients that call at once, a few MB at most.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>The longest an entry is used before its token is validated again (bounds a removed OIDC key's use).</summary>
    public static readonly TimeSpan DefaultMaxEntryLife = TimeSpan.FromMinutes(5);

    private readonly int _capacity = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive");
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);

    // Most recently used first; the last one is evicted when a new token needs room.
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private long _validations;

    /// <summary>How many tokens are kept now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How many times a token went through the full validation (cache misses).</summary>
    public long Validations => Interlocked.Read(ref _validations);

    /// <inheritdoc />
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(token);
        var now = clock.GetUtcNow();
        if (TryGet(token, now) is { } entry)
        {
            // A copy of the identity: the principal built from it is the request's own to add claims to.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.Token,
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Issuer,
                TokenType = entry.TokenType,
            };
        }

        Interlocked.Increment(ref _validations);
        var result = await inner.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result is { IsValid: true, SecurityToken: { } validated, ClaimsIdentity: { } identity } && validated.ValidTo != DateTime.MinValue)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
            var notAfter = expires < now + maxEntryLife ? expires : now + maxEntryLife;
            if (notAfter > now)
            {
                Add(token, new Entry(token, validated, new SharedIdentity(identity), result.Issuer, result.TokenType, notAfter));
            }
        }

        return result;
    }

    /// <summary>
    /// What <paramref name="token"/> validated to, when it is remembered and its entry still lives; null otherwise, and then the
    /// token must go through <see cref="ValidateTokenAsync"/>. This is the same entry <see cref="ValidateTokenAsync"/> answers
    /// from, with the same expiry: the gateway's authentication takes a remembered token's identity from here without running
    /// the bearer handler at all (<see cref="RememberedBearerAuthentication"/>). The identity is the entry's own, shared by
    /// every request presenting the token, and refuses changes (<see cref="SharedIdentity"/>): not copying it on every call
    /// is the point, and no request can change what the next one sees.
    /// </summary>
    public (ClaimsIdentity Identity, SecurityToken Token)? Remembered(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return TryGet(token, clock.GetUtcNow()) is { } entry ? (entry.Identity, entry.Token) : null;
    }

    private Entry? TryGet(string token, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(token, out var node))
            {
                return null;
            }

            if (now >= node.Value.NotAfter)
            {
                _entries.Remove(token);
                _recency.Remove(node);
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
    }

    private void Add(string token, Entry entry)
    {
        lock (_lock)
        {
            if (_entries.Remove(token, out var existing))
            {
                _recency.Remove(existing);
            }

            while (_entries.Count >= _capacity && _recency.Last is { } oldest)
            {
                _entries.Remove(oldest.Value.Key);
                _recency.RemoveLast();
            }

            _entries[token] = _recency.AddFirst(entry);
        }
    }

    private sealed record Entry(string Key, SecurityToken Token, ClaimsIdentity Identity, string? Issuer, string? TokenType, DateTimeOffset NotAfter);

    /// <summary>
    /// A remembered token's identity, shared by the requests that present the token: adding or removing a claim is refused
    /// (<see cref="InvalidOperationException"/>) instead of showing up in every later request. <see cref="ClaimsIdentity.Clone"/>
    /// gives an ordinary, changeable copy.
    /// </summary>
    public sealed class SharedIdentity : ClaimsIdentity
    {
        private readonly bool _complete;

        internal SharedIdentity(ClaimsIdentity identity)
            : base(identity) => _complete = true;

        /// <inheritdoc />
        public override void AddClaim(Claim claim)
        {
            RefuseChange();
            base.AddClaim(claim);
        }

        /// <inheritdoc />
        public override void AddClaims(IEnumerable<Claim?> claims)
        {
            RefuseChange();
            base.AddClaims(claims);
        }

        /// <inheritdoc />
        public override void RemoveClaim(Claim? claim)
        {
            RefuseChange();
            base.RemoveClaim(claim);
        }

        /// <inheritdoc />
        public override bool TryRemoveClaim(Claim? claim)
        {
            RefuseChange();
            return base.TryRemoveClaim(claim);
        }

        // The base constructor adds the copied claims through these methods: only a complete identity refuses.
        private void RefuseChange()
        {
            if (_complete)
            {
                throw new InvalidOperationException(
                    "This identity is a remembered bearer token's, shared by every request that presents the token: change a copy (Clone()) instead.");
            }
        }
    }
}

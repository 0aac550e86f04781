using System.Security.Cryptography;
using System.Text;

namespace DirectConnect.Platform.Secrets;

/// <summary>
/// Seals a secret a customer gives (a BGP MD5 key) for storage: AES-256-GCM under a key the deployment holds, bound
/// to what the secret is (<c>purpose</c>, as associated data) so a sealed value cannot be replayed as another kind
/// of secret. The stored form is <c>v1:</c> and base64 of nonce, tag and ciphertext; the state store never sees the
/// secret in clear.
/// </summary>
public sealed class SecretSealer
{
    private const string Version = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    /// <summary>A sealer under <paramref name="base64Key"/> (256 bits).</summary>
    public SecretSealer(string base64Key, string setting)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key ?? "");
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} is not valid base64.");
        }

        _key = key.Length == 32 ? key : throw new InvalidOperationException($"{setting} must be a 256-bit key (32 bytes, base64).");
    }

    /// <summary><paramref name="secret"/> sealed for <paramref name="purpose"/>.</summary>
    public string Seal(string secret, string purpose)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The secret in <paramref name="sealedValue"/>, sealed for <paramref name="purpose"/> under this key.</summary>
    /// <exception cref="CryptographicException">It was sealed under another key or for another purpose, or was altered.</exception>
    public string Unseal(string sealedValue, string purpose)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        if (!sealedValue.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Not a sealed value.");
        }

        var bytes = Convert.FromBase64String(sealedValue[Version.Length..]);
        if (bytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Not a sealed value.");
        }

        var plain = new byte[bytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize + TagSize), bytes.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(purpose));
        return Encoding.UTF8.GetString(plain);
    }
}

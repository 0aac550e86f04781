using System.Security.Cryptography;
using DirectConnect.Platform.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// The embedded default's token-signing key: 256 random bits generated on first use into
/// <c>&lt;data directory&gt;/keys/token-signing.key</c>, readable by the owner only. The key never
/// leaves that file (it is not logged and not returned by any API).
/// </summary>
public static class SigningKeyStore
{
    /// <summary>Loads the key from <paramref name="dataDirectory"/>, creating it when missing.</summary>
    public static SymmetricSecurityKey LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "keys", "token-signing.key");
        return FromBase64(LoadOrCreateText(path), path);
    }

    /// <summary>
    /// The base64 text of the 256-bit key in <c>keys/<paramref name="fileName"/></c> under <paramref name="dataDirectory"/>,
    /// created when missing, readable by the owner only (the embedded default's agent root key lives there too).
    /// </summary>
    public static string LoadOrCreateText(string dataDirectory, string fileName) => LoadOrCreateText(Path.Combine(dataDirectory, "keys", fileName));

    private static string LoadOrCreateText(string path)
    {
        // The key directory is the gateway's own: created 0700 (the data directory too, when missing), or narrowed to it.
        var directory = Path.GetDirectoryName(path)!;
        OwnerOnly.EnsureDirectory(directory);
        OwnerOnly.TryRestrict(directory, OwnerOnly.DirectoryMode);
        if (!File.Exists(path))
        {
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnly.FileMode;
                }

                using var writer = new StreamWriter(path, options);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        OwnerOnly.TryRestrict(path, OwnerOnly.FileMode);
        return File.ReadAllText(path).Trim();
    }

    /// <summary>A key from its base64 form; refuses keys shorter than 256 bits.</summary>
    public static SymmetricSecurityKey FromBase64(string base64, string origin)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The token-signing key from {origin} is not valid base64.");
        }

        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] }
            : throw new InvalidOperationException($"The token-signing key from {origin} is shorter than 256 bits.");
    }
}

using DirectConnect.Platform.Secrets;
using Microsoft.Extensions.Options;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>The BGP MD5 keys, sealed for the state store under <see cref="VirtualInterfaceOptions.AuthKeyEncryptionKey"/>.</summary>
public sealed class AuthKeys(IOptions<VirtualInterfaceOptions> options)
{
    private const string Purpose = "directconnect/virtual-interface/bgp-auth-key";
    private readonly SecretSealer _sealer = new(
        options.Value.AuthKeyEncryptionKey is { Length: > 0 } key
            ? key
            : throw new InvalidOperationException($"{VirtualInterfaceOptions.Section}:{nameof(VirtualInterfaceOptions.AuthKeyEncryptionKey)} is required: the key that seals BGP MD5 keys at rest."),
        $"{VirtualInterfaceOptions.Section}:{nameof(VirtualInterfaceOptions.AuthKeyEncryptionKey)}");

    /// <summary>The key sealed for storage.</summary>
    public string Seal(string authKey) => _sealer.Seal(authKey, Purpose);

    /// <summary>The key of a stored, sealed value.</summary>
    public string Unseal(string sealedAuthKey) => _sealer.Unseal(sealedAuthKey, Purpose);
}

using System.Collections.Frozen;
using System.Reflection;
using DirectConnect.Contracts.V1;
using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Tenancy;

/// <summary>
/// The access every public method declares in its proto (<c>option (directconnect.v1.access)</c>),
/// by gRPC method path (<c>/directconnect.v1.VpcService/GetVpc</c>). Read once from the contracts'
/// descriptors, so the rule lives next to the method's definition, where SDK users see it too.
/// </summary>
public sealed class MethodAccessCatalog
{
    private readonly FrozenDictionary<string, MethodDescriptor> _methods;

    /// <summary>The catalog of every service in the contracts assembly.</summary>
    public MethodAccessCatalog() =>
        _methods = ContractServices().SelectMany(s => s.Methods).ToFrozenDictionary(PathOf, StringComparer.Ordinal);

    /// <summary>Every public method.</summary>
    public IEnumerable<MethodDescriptor> Methods => _methods.Values;

    /// <summary>The method at <paramref name="path"/>, or null when it is not part of the public API.</summary>
    public MethodDescriptor? Find(string path) => _methods.GetValueOrDefault(path);

    /// <summary>The access <paramref name="method"/> declares.</summary>
    public static Access AccessOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        // Read once per method: GetOptions() copies the options message on every call, and this runs on every call.
        // Descriptors come from the compiled contracts, a fixed set, so the memo cannot grow without bound.
        return DeclaredAccess.GetOrAdd(method, static m => m.GetOptions()?.GetExtension(AccessExtensions.Access) ?? Access.Unspecified);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MethodDescriptor, Access> DeclaredAccess = new();

    /// <summary>The gRPC path of <paramref name="method"/>.</summary>
    public static string PathOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return $"/{method.Service.FullName}/{method.Name}";
    }

    /// <summary>Every service of the public API package, found through the generated reflection classes.</summary>
    public static IReadOnlyList<ServiceDescriptor> ContractServices() => ServicesOf(typeof(Access).Assembly, "directconnect.v1");

    /// <summary>Every service of proto package <paramref name="package"/> compiled into <paramref name="assembly"/>, by full name.</summary>
    public static IReadOnlyList<ServiceDescriptor> ServicesOf(Assembly assembly, string package)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>()
            .Where(f => f.Package == package)
            .SelectMany(f => f.Services)
            .OrderBy(s => s.FullName, StringComparer.Ordinal)
            .ToArray();
    }
}

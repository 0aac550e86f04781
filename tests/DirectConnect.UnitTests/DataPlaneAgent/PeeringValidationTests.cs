using DirectConnect.Contracts.Internal.V1;
using DirectConnect.DataPlaneAgent.Rendering;

namespace DirectConnect.UnitTests.DataPlaneAgent;

/// <summary>
/// The agent checks every value of a desired state again before any of it reaches vtysh (defence in depth):
/// a value that could end a line or start a command is refused, and the peering with it.
/// </summary>
public sealed class PeeringValidationTests
{
    internal static Peering Base() => new()
    {
        VirtualInterfaceId = "dxvif-2p6r8s1k",
        BorderGatewayId = "dxbgw-0a1b2c3d",
        Vlan = 100,
        CloudAddress = "169.254.10.1/30",
        CustomerAddress = "169.254.10.2/30",
        CloudAsn = 64512,
        CustomerAsn = 65010,
        IdcPrefixes = { "192.168.8.0/24" },
        AnnouncedPrefixes = { "10.0.0.0/16" },
        AuthKeySet = true,
    };

    // What an attacker would append to, or put instead of, a value: a new line and a command, a comment
    // (`!`), a second word, vtysh's `exit`, and a carriage return. (A bare `exit` glued to an id,
    // `dxvif-2p6r8s1kexit`, is a well-formed id and one word: harmless, so not in the list; alone it is refused.)
    private static readonly string[] Injections = ["\nexit", "\n router bgp 1", " !", "!", " exit", " neighbor 1.1.1.1 remote-as 1", "\r\nend", "\t", "exit\n"];

    public static TheoryData<string, string> FieldsAndInjections()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Fields.Keys)
        {
            foreach (var injection in Injections)
            {
                data.Add(field, injection);
            }
        }

        return data;
    }

    // Each text field of a peering, and how to put a value into it.
    private static readonly Dictionary<string, Action<Peering, string>> Fields = new(StringComparer.Ordinal)
    {
        ["virtual_interface_id"] = (p, v) => p.VirtualInterfaceId = v,
        ["cloud_address"] = (p, v) => p.CloudAddress = v,
        ["customer_address"] = (p, v) => p.CustomerAddress = v,
        ["idc_prefixes"] = (p, v) => p.IdcPrefixes[0] = v,
        ["announced_prefixes"] = (p, v) => p.AnnouncedPrefixes[0] = v,
    };

    [Fact]
    public void AWellFormedPeeringIsAccepted()
    {
        var valid = ValidPeering.Validate(Base(), out var problems);
        Assert.Empty(problems);
        Assert.NotNull(valid);
        Assert.Equal("169.254.10.2", valid.Neighbor);
    }

    [Theory]
    [MemberData(nameof(FieldsAndInjections))]
    public void AnInjectionAppendedToAnyTextFieldIsRefused(string field, string injection)
    {
        var peering = Base();
        var original = field switch
        {
            "virtual_interface_id" => peering.VirtualInterfaceId,
            "cloud_address" => peering.CloudAddress,
            "customer_address" => peering.CustomerAddress,
            "idc_prefixes" => peering.IdcPrefixes[0],
            _ => peering.AnnouncedPrefixes[0],
        };
        foreach (var value in (string[])[original + injection, injection + original, injection, "exit"])
        {
            var attempt = Base();
            Fields[field](attempt, value);
            Assert.Null(ValidPeering.Validate(attempt, out var problems));
            Assert.Contains(problems, p => p.StartsWith(field, StringComparison.Ordinal));
            Assert.DoesNotContain(problems, p => p.Contains(value, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("vlan", 0)]
    [InlineData("vlan", 4095)]
    [InlineData("vlan", -1)]
    [InlineData("cloud_asn", 0)]
    [InlineData("cloud_asn", 23456)]
    [InlineData("cloud_asn", 4294967295)]
    [InlineData("customer_asn", -5)]
    [InlineData("customer_asn", 1L << 40)]
    public void ANumberOutOfRangeIsRefused(string field, long value)
    {
        var peering = Base();
        switch (field)
        {
            case "vlan": peering.Vlan = (int)value; break;
            case "cloud_asn": peering.CloudAsn = value; break;
            default: peering.CustomerAsn = value; break;
        }

        Assert.Null(ValidPeering.Validate(peering, out var problems));
        Assert.Contains(problems, p => p.StartsWith(field, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cloud_address", "169.254.10.1")] // no length
    [InlineData("cloud_address", "169.254.010.1/30")] // leading zero
    [InlineData("cloud_address", "169.254.10.0/30")] // the network address
    [InlineData("customer_address", "169.254.11.2/30")] // another subnet
    [InlineData("customer_address", "169.254.10.1/30")] // the cloud's own
    [InlineData("idc_prefixes", "192.168.8.1/24")] // host bits set
    [InlineData("announced_prefixes", "10.0.0.0/33")]
    public void AnAddressOrPrefixThatIsNotCanonicalIsRefused(string field, string value)
    {
        var peering = Base();
        Fields[field](peering, value);
        Assert.Null(ValidPeering.Validate(peering, out var problems));
        Assert.Contains(problems, p => p.StartsWith(field, StringComparison.Ordinal));
    }

    [Fact]
    public void APeeringWithoutIdcPrefixesIsRefusedAndOneWithoutVpcsIsNot()
    {
        var none = Base();
        none.IdcPrefixes.Clear();
        Assert.Null(ValidPeering.Validate(none, out var problems));
        Assert.Contains(problems, p => p.StartsWith("idc_prefixes", StringComparison.Ordinal));

        var noVpc = Base();
        noVpc.AnnouncedPrefixes.Clear();
        Assert.NotNull(ValidPeering.Validate(noVpc, out _));
    }

    [Theory]
    [InlineData("eth1\nexit")]
    [InlineData("eth1 !")]
    [InlineData("exit ")]
    [InlineData("eth1;reboot")]
    [InlineData("a-very-long-port")]
    [InlineData("")]
    public void ARouterPortThatIsNotAPlainInterfaceNameIsRefused(string name)
    {
        Assert.Null(ValidRouter.Validate(new RouterDesiredState.Types.Router { InterfaceName = name, Asn = 64512 }, out var problems));
        Assert.Contains(problems, p => p.StartsWith("router.interface_name", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("s3cr3t\nexit")]
    [InlineData("two words")]
    [InlineData("s3cr3t\r")]
    [InlineData("")]
    [InlineData("ключ")]
    public void AnMd5KeyThatIsNotOneWordOfPrintableAsciiIsRefused(string key)
    {
        Assert.False(ValidPeering.IsValidAuthKey(key));
        var router = new ValidRouter("eth1", 64512);
        var peering = ValidPeering.Validate(Base(), out _)!;
        Assert.Throws<ArgumentException>(() => FrrRenderer.Apply(router, null, peering, key, new HashSet<string>(), new HashSet<string>()));
    }

    [Fact]
    public void EveryPunctuationMarkIsAValidKey() =>
        Assert.True(ValidPeering.IsValidAuthKey("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"));
}

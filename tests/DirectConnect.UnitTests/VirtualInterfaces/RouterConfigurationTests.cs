using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Text;
using DirectConnect.VirtualInterfaces.RouterConfiguration;

namespace DirectConnect.UnitTests.VirtualInterfaces;

public sealed class RouterConfigurationTests
{
    private const string Key = "s3cr3t-Key!";

    // Each IDC prefix with its network address and dotted mask, written out by hand so the
    // renderer's mask arithmetic is checked against something it did not compute.
    private static readonly (string Cidr, string Network, string Mask)[] Prefixes =
    [
        ("192.168.8.0/24", "192.168.8.0", "255.255.255.0"),
        ("10.20.0.0/16", "10.20.0.0", "255.255.0.0"),
        ("172.16.5.4/30", "172.16.5.4", "255.255.255.252"),
    ];

    public static TheoryData<RouterVendorKind> Vendors => new(Enum.GetValues<RouterVendorKind>());

    private static RouterPeering Peering(string? key = Key, string? parent = null) => new(
        "dxvif-2p6r8s1k", 100, "169.254.10.2/30", "169.254.10.1/30", 65010, 4200000001, key,
        Prefixes.Select(p => p.Cidr).ToArray(), parent);

    private static string[] Lines(RouterVendorKind vendor, RouterPeering peering) =>
        RouterConfigurationRenderer.Render(vendor, peering).Split('\n');

    private static string[] SubInterfaceLines(RouterVendorKind vendor) => vendor switch
    {
        RouterVendorKind.Frr => ["!   ip link add link eth0 name eth0.100 type vlan id 100", "interface eth0.100", " ip address 169.254.10.2/30"],
        RouterVendorKind.CiscoIosXe => ["interface GigabitEthernet0/0/0.100", " encapsulation dot1Q 100", " ip address 169.254.10.2 255.255.255.252"],
        RouterVendorKind.JuniperJunos =>
        [
            "set interfaces xe-0/0/0 vlan-tagging", "set interfaces xe-0/0/0 unit 100 vlan-id 100",
            "set interfaces xe-0/0/0 unit 100 family inet address 169.254.10.2/30",
        ],
        RouterVendorKind.HuaweiVrp => ["interface GigabitEthernet0/0/1.100", " dot1q termination vid 100", " ip address 169.254.10.2 255.255.255.252"],
        _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
    };

    private static string[] BgpLines(RouterVendorKind vendor) => vendor switch
    {
        RouterVendorKind.Frr => ["router bgp 65010", " neighbor 169.254.10.1 remote-as 4200000001"],
        RouterVendorKind.CiscoIosXe => ["router bgp 65010", " neighbor 169.254.10.1 remote-as 4200000001"],
        RouterVendorKind.JuniperJunos =>
            ["set routing-options autonomous-system 65010", "set protocols bgp group DX-dxvif-2p6r8s1k neighbor 169.254.10.1 peer-as 4200000001"],
        RouterVendorKind.HuaweiVrp => ["bgp 65010", " peer 169.254.10.1 as-number 4200000001"],
        _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
    };

    private static string[] PrefixLines(RouterVendorKind vendor, (string Cidr, string Network, string Mask) p) => vendor switch
    {
        RouterVendorKind.Frr => [$"  network {p.Cidr}", $"ip route {p.Cidr} blackhole 250"],
        RouterVendorKind.CiscoIosXe => [$"  network {p.Network} mask {p.Mask}", $"ip route {p.Network} {p.Mask} Null0 250"],
        RouterVendorKind.JuniperJunos =>
        [
            $"set policy-options policy-statement DX-dxvif-2p6r8s1k-OUT term idc-prefixes from route-filter {p.Cidr} exact",
            $"set routing-options static route {p.Cidr} discard",
        ],
        RouterVendorKind.HuaweiVrp => [$"  network {p.Network} {p.Mask}", $"ip route-static {p.Network} {p.Mask} NULL0 preference 255"],
        _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
    };

    private static string KeyLine(RouterVendorKind vendor, string key) => vendor switch
    {
        RouterVendorKind.Frr => $" neighbor 169.254.10.1 password {key}",
        RouterVendorKind.CiscoIosXe => $" neighbor 169.254.10.1 password 0 {key}",
        RouterVendorKind.JuniperJunos => $"set protocols bgp group DX-dxvif-2p6r8s1k neighbor 169.254.10.1 authentication-key \"{key}\"",
        RouterVendorKind.HuaweiVrp => $" peer 169.254.10.1 password cipher {key}",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
    };

    private static string CommentPrefix(RouterVendorKind vendor) =>
        vendor is RouterVendorKind.JuniperJunos or RouterVendorKind.HuaweiVrp ? "#" : "!";

    [Theory]
    [MemberData(nameof(Vendors))]
    public void TheConfigurationStartsWithACommentNamingTheVirtualInterface(RouterVendorKind vendor)
    {
        var first = Lines(vendor, Peering())[0];
        Assert.StartsWith(CommentPrefix(vendor) + " ", first, StringComparison.Ordinal);
        Assert.Contains("dxvif-2p6r8s1k", first, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void TheSubInterfaceIsTaggedWithTheVlanAndHasTheCustomerAddress(RouterVendorKind vendor)
    {
        var lines = Lines(vendor, Peering());
        Assert.All(SubInterfaceLines(vendor), expected => Assert.Contains(expected, lines));
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void TheNeighbourIsTheCloudAddressInTheCloudAsFromTheCustomerAs(RouterVendorKind vendor)
    {
        var text = RouterConfigurationRenderer.Render(vendor, Peering());
        Assert.All(BgpLines(vendor), expected => Assert.Contains(expected, text.Split('\n')));
        // The neighbour is a host address: its prefix length belongs on no line.
        Assert.DoesNotContain("169.254.10.1/", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void EveryIdcPrefixIsAnnouncedAndHasADiscardRoute(RouterVendorKind vendor)
    {
        var lines = Lines(vendor, Peering());
        Assert.All(Prefixes.SelectMany(p => PrefixLines(vendor, p)), expected => Assert.Contains(expected, lines));
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void TheKeyIsConfiguredOnceWhenSet(RouterVendorKind vendor)
    {
        var lines = Lines(vendor, Peering(Key));
        Assert.Contains(KeyLine(vendor, Key), lines);
        Assert.Single(lines, line => line.Contains(Key, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void NothingAboutAPasswordIsWrittenWithoutAKey(RouterVendorKind vendor)
    {
        var text = RouterConfigurationRenderer.Render(vendor, Peering(key: null));
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("authentication", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void TheTextIsAsciiWithLineFeedsAndEndsWithOne(RouterVendorKind vendor)
    {
        var text = RouterConfigurationRenderer.Render(vendor, Peering());
        Assert.True(text.All(c => c == '\n' || c is >= ' ' and <= '~'), "only printable ASCII and \\n");
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void AGivenInterfaceReplacesTheVendorDefault(RouterVendorKind vendor)
    {
        var text = RouterConfigurationRenderer.Render(vendor, Peering(parent: "te1"));
        Assert.Contains(vendor == RouterVendorKind.JuniperJunos ? "set interfaces te1 unit 100 vlan-id 100" : "interface te1.100", text.Split('\n'));
        Assert.DoesNotContain(SubInterfaceLines(vendor)[vendor == RouterVendorKind.Frr ? 1 : 0], text.Split('\n'));
    }

    [Fact]
    public void FrrTurnsOnIpv4ForwardingBeforeAnyBlock()
    {
        // Without it Linux answers BGP but drops every packet between the cloud and the IDC hosts.
        var lines = Lines(RouterVendorKind.Frr, Peering());
        var forwarding = Array.IndexOf(lines, "ip forwarding");
        Assert.True(forwarding >= 0, "no `ip forwarding` line");
        // Top level: only comments come before it, so it belongs to no interface or router block.
        Assert.All(lines[..forwarding], line => Assert.StartsWith("!", line, StringComparison.Ordinal));
    }

    [Fact]
    public void IosXeTurnsOnRoutingWhichCatalystSwitchesLeaveOff() =>
        Assert.Contains("ip routing", Lines(RouterVendorKind.CiscoIosXe, Peering()));

    [Fact]
    public void FrrSaysFirstThatBgpdMustBeEnabledInTheDaemonsFile()
    {
        var lines = Lines(RouterVendorKind.Frr, Peering());
        var header = lines.TakeWhile(line => line.StartsWith('!')).ToArray();
        Assert.Contains(header, line => line.Contains("bgpd=yes", StringComparison.Ordinal) && line.Contains("/etc/frr/daemons", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RouterVendorKind.CiscoIosXe, " no shutdown", "exit")]
    [InlineData(RouterVendorKind.HuaweiVrp, " undo shutdown", " quit")]
    public void ThePortIsEnabledBeforeItsSubInterface(RouterVendorKind vendor, string enable, string leave)
    {
        var lines = Lines(vendor, Peering(parent: "te1"));
        var port = Array.IndexOf(lines, "interface te1");
        Assert.True(port >= 0, "the port itself is not configured");
        Assert.Equal(["interface te1", enable, leave], lines[port..(port + 3)]);
        Assert.True(port < Array.IndexOf(lines, "interface te1.100"));
    }

    [Fact]
    public void FrrTellsToBringThePortUpInLinux() =>
        Assert.Contains("!   ip link set dev te1 up", Lines(RouterVendorKind.Frr, Peering(parent: "te1")));

    public static TheoryData<RouterVendorKind, string> UsablePorts => new()
    {
        { RouterVendorKind.Frr, "eth1" },
        { RouterVendorKind.Frr, "enp3s0f1" },
        { RouterVendorKind.Frr, "br-lan" },
        { RouterVendorKind.Frr, "bond_0" },
        { RouterVendorKind.Frr, "eth0.5" },
        { RouterVendorKind.CiscoIosXe, "GigabitEthernet0/0/1" },
        { RouterVendorKind.CiscoIosXe, "TenGigabitEthernet1/0/1" },
        { RouterVendorKind.CiscoIosXe, "Port-channel1" },
        { RouterVendorKind.JuniperJunos, "xe-0/0/0" },
        { RouterVendorKind.JuniperJunos, "et-0/0/1:2" },
        { RouterVendorKind.JuniperJunos, "ae0" },
        { RouterVendorKind.HuaweiVrp, "GigabitEthernet0/0/1" },
        { RouterVendorKind.HuaweiVrp, "Eth-Trunk1" },
        { RouterVendorKind.HuaweiVrp, "100GE1/0/1" },
    };

    [Theory]
    [MemberData(nameof(UsablePorts))]
    public void ARealPortNameIsUsedAsGiven(RouterVendorKind vendor, string port)
    {
        var lines = Lines(vendor, Peering(parent: port));
        Assert.Contains(vendor == RouterVendorKind.JuniperJunos ? $"set interfaces {port} unit 100 vlan-id 100" : $"interface {port}.100", lines);
        Assert.Null(RouterInterfaceName.Problem(vendor, port, 100));
    }

    // Each would end the name's token, line or command in some vendor's CLI, or is not a port name at all.
    public static TheoryData<string> InjectingNames => new()
    {
        "", "eth0\nrouter bgp 1", "eth0\r", "eth0\rend", "eth0 mtu 9000", "eth0\t", "eth0!", "eth0#", "eth0;", "eth0\"", "eth0'", "eth0`",
        "eth0$x", "eth0\\", "eth0?", "eth0{", "eth0|", "eth0&", "eth0,1", "eth0*", "éth0", "eth0\u00a0", "eth0\u2028", "eth0\0", "-eth0", new string('e', 65),
    };

    [Theory]
    [MemberData(nameof(InjectingNames))]
    public void ANameThatCouldInjectALineIsRefusedForEveryVendorWithoutQuotingIt(string port)
    {
        foreach (var vendor in Enum.GetValues<RouterVendorKind>())
        {
            var problem = RouterInterfaceName.Problem(vendor, port);
            Assert.False(problem is null, $"{vendor} accepts '{port}'");
            Assert.DoesNotContain("router bgp", problem, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(vendor, Peering(parent: port)));
        }
    }

    [Theory]
    [InlineData(RouterVendorKind.Frr, "eth0/1")] // Linux refuses '/' in a device name
    [InlineData(RouterVendorKind.Frr, "eth0:1")] // and ':'
    [InlineData(RouterVendorKind.Frr, "enp129s0f1np1xy")] // 15 alone, 19 with ".100"
    [InlineData(RouterVendorKind.Frr, "1eth")]
    [InlineData(RouterVendorKind.CiscoIosXe, "GigabitEthernet0/0/0.5")] // a sub-interface has no sub-interfaces
    [InlineData(RouterVendorKind.CiscoIosXe, "0/0/1")]
    [InlineData(RouterVendorKind.JuniperJunos, "xe-0/0/0.0")] // Junos writes the unit itself
    [InlineData(RouterVendorKind.HuaweiVrp, "GigabitEthernet0/0/1.5")]
    public void ANameTheVendorCannotUseIsRefused(RouterVendorKind vendor, string port)
    {
        var error = Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(vendor, Peering(parent: port)));
        Assert.Contains("interface", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcdefghij", 4094, true)]  // abcdefghij.4094: 15 characters
    [InlineData("abcdefghijk", 4094, false)] // 16
    [InlineData("abcdefghijk", 100, true)]  // abcdefghijk.100: 15
    public void AnFrrSubInterfaceNameMayHaveFifteenCharacters(string port, int vlan, bool accepted)
    {
        var problem = RouterInterfaceName.Problem(RouterVendorKind.Frr, port, vlan);
        Assert.Equal(accepted, problem is null);
        Assert.Null(RouterInterfaceName.Problem(RouterVendorKind.Frr, port)); // the name alone is fine
        if (!accepted)
        {
            Assert.Contains($"'{port}.{vlan}', 16 characters: Linux allows at most 15", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("169.254.0.0/31", "169.254.0.1/31", "255.255.255.254")]
    [InlineData("10.1.2.5/29", "10.1.2.6/29", "255.255.255.248")]
    [InlineData("10.200.0.1/8", "10.0.0.9/8", "255.0.0.0")]
    public void AddressMasksAreDottedForIosAndVrp(string customer, string cloud, string mask)
    {
        var peering = Peering() with { CustomerAddress = customer, CloudAddress = cloud };
        var host = customer.Split('/')[0];
        Assert.Contains($" ip address {host} {mask}", Lines(RouterVendorKind.CiscoIosXe, peering));
        Assert.Contains($" ip address {host} {mask}", Lines(RouterVendorKind.HuaweiVrp, peering));
        Assert.Contains($" neighbor {cloud.Split('/')[0]} remote-as 4200000001", Lines(RouterVendorKind.CiscoIosXe, peering));
    }

    [Fact]
    public void HostAndDefaultRoutePrefixesGetFullAndEmptyMasks()
    {
        var peering = Peering() with { IdcPrefixes = ["192.0.2.7/32", "0.0.0.0/0"] };
        var cisco = Lines(RouterVendorKind.CiscoIosXe, peering);
        Assert.Contains("  network 192.0.2.7 mask 255.255.255.255", cisco);
        Assert.Contains("  network 0.0.0.0 mask 0.0.0.0", cisco);
        Assert.Contains("ip ip-prefix DX-dxvif-2p6r8s1k-OUT index 20 permit 0.0.0.0 0", Lines(RouterVendorKind.HuaweiVrp, peering));
    }

    [Fact]
    public void ARepeatedPrefixIsWrittenOnce()
    {
        var peering = Peering() with { IdcPrefixes = ["192.168.8.0/24", "192.168.8.0/24"] };
        Assert.Single(Lines(RouterVendorKind.Frr, peering), line => line == "  network 192.168.8.0/24");
    }

    [Fact]
    public void JunosQuotesAndBackslashesInTheKeyAreEscaped()
    {
        var lines = Lines(RouterVendorKind.JuniperJunos, Peering("a\"b\\c"));
        Assert.Contains(KeyLine(RouterVendorKind.JuniperJunos, "a\\\"b\\\\c"), lines);
    }

    [Fact]
    public void IosWarnsAboutAQuestionMarkInTheKeyOnlyWhenThereIsOne()
    {
        static bool Warns(string key) => Lines(RouterVendorKind.CiscoIosXe, Peering(key)).Any(l => l.Contains("Ctrl-V", StringComparison.Ordinal));
        Assert.True(Warns("ab?cd"));
        Assert.False(Warns(Key));
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void ThePlaceholderStandsWhereTheKeyGoes(RouterVendorKind vendor) =>
        Assert.Contains(KeyLine(vendor, RouterConfigurationRenderer.AuthKeyPlaceholder), Lines(vendor, Peering(RouterConfigurationRenderer.AuthKeyPlaceholder)));

    public static TheoryData<string, Func<RouterPeering, RouterPeering>> Unconfigurable => new()
    {
        { "vlan 0", p => p with { Vlan = 0 } },
        { "vlan 4095", p => p with { Vlan = 4095 } },
        { "id with newline", p => p with { VirtualInterfaceId = "dxvif-1\nrouter bgp 1" } },
        { "interface with space", p => p with { Interface = "eth0 mtu 9000" } },
        { "address without length", p => p with { CustomerAddress = "169.254.10.2" } },
        { "short address", p => p with { CustomerAddress = "169.254.2/30" } },
        { "ipv6 address", p => p with { CustomerAddress = "fd00::2/126" } },
        { "different subnets", p => p with { CloudAddress = "169.254.10.5/30" } },
        { "different lengths", p => p with { CloudAddress = "169.254.10.1/29" } },
        { "same address", p => p with { CloudAddress = "169.254.10.2/30" } },
        { "broadcast address", p => p with { CustomerAddress = "169.254.10.3/30" } },
        { "/32", p => p with { CustomerAddress = "169.254.10.2/32", CloudAddress = "169.254.10.1/32" } },
        { "asn 0", p => p with { CustomerAsn = 0 } },
        { "asn beyond 4 bytes", p => p with { CloudAsn = 4294967296 } },
        { "equal asns", p => p with { CloudAsn = 65010 } },
        { "no prefixes", p => p with { IdcPrefixes = [] } },
        { "host bits set", p => p with { IdcPrefixes = ["192.168.8.1/24"] } },
        { "garbage prefix", p => p with { IdcPrefixes = ["192.168.8.0/24 le 32"] } },
    };

    [Theory]
    [MemberData(nameof(Unconfigurable))]
    public void UnconfigurableValuesAreRefused(string why, Func<RouterPeering, RouterPeering> change)
    {
        foreach (var vendor in Enum.GetValues<RouterVendorKind>())
        {
            var error = Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(vendor, change(Peering())));
            Assert.False(string.IsNullOrWhiteSpace(error.Message), why);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tkey")]
    [InlineData("new\nline")]
    [InlineData("ключ")]
    public void AnUnwritableKeyIsRefusedWithoutQuotingIt(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(RouterVendorKind.Frr, Peering(key)));
        Assert.Contains("auth key", error.Message, StringComparison.Ordinal);
        if (key.Length > 0)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnEightyCharacterKeyIsTheLongestAccepted()
    {
        Assert.Contains(new string('k', 80), RouterConfigurationRenderer.Render(RouterVendorKind.Frr, Peering(new string('k', 80))), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(RouterVendorKind.Frr, Peering(new string('k', 81))));
    }

    [Fact]
    public void ALinuxSubInterfaceNameLongerThanFifteenCharactersIsRefusedForFrrOnly()
    {
        var peering = Peering(parent: "enp129s0f1np1") with { Vlan = 4000 };
        Assert.Throws<ArgumentException>(() => RouterConfigurationRenderer.Render(RouterVendorKind.Frr, peering));
        Assert.Contains("interface enp129s0f1np1.4000", Lines(RouterVendorKind.CiscoIosXe, peering));
    }

    [Theory]
    [InlineData("169.254.10.1/30\n")]
    [InlineData("169.254.10.1/+30")]
    [InlineData("169.254.10.1/030")]
    [InlineData("0xa9.0xfe.10.1/30")]
    public void AStoredValueThatCannotBeConfiguredIsAFailedPreconditionNamingIt(string cloudAddress)
    {
        // Values like these were stored before validation was strict; rendering them must not be a server fault.
        var error = Assert.Throws<DomainException>(() => RouterConfigurationRenderer.RenderStored(RouterVendorKind.CiscoIosXe, Peering() with { CloudAddress = cloudAddress }));
        Assert.Equal(ErrorCode.FailedPrecondition, error.Code);
        Assert.Equal("ROUTER_CONFIGURATION_UNAVAILABLE", error.Reason);
        Assert.Contains("cloud address '" + UnsafeCharacters.Escape(cloudAddress) + "'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(Lines(RouterVendorKind.CiscoIosXe, Peering()), RouterConfigurationRenderer.RenderStored(RouterVendorKind.CiscoIosXe, Peering()).Split('\n'));
    }

    [Fact]
    public void AnUnknownVendorIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RouterConfigurationRenderer.Render((RouterVendorKind)99, Peering()));

    [Fact]
    public void ThePeeringsTextNeverShowsTheKey()
    {
        var text = Peering().ToString();
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("AuthKey = (set)", text, StringComparison.Ordinal);
        Assert.Contains("IdcPrefixes = [192.168.8.0/24, 10.20.0.0/16, 172.16.5.4/30]", text, StringComparison.Ordinal);
    }
}

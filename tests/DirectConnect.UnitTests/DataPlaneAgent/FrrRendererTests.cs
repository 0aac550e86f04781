using DirectConnect.DataPlaneAgent.Rendering;

namespace DirectConnect.UnitTests.DataPlaneAgent;

/// <summary>The cloud side's vtysh lines: what a new, a changed and a removed virtual interface change, and nothing else.</summary>
public sealed class FrrRendererTests
{
    private static readonly ValidRouter Router = new("eth1", 64999);
    private static readonly HashSet<string> None = new(StringComparer.Ordinal);

    private static ValidPeering Peering(Action<Contracts.Internal.V1.Peering>? change = null)
    {
        var peering = PeeringValidationTests.Base();
        change?.Invoke(peering);
        return ValidPeering.Validate(peering, out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    [Fact]
    public void ANewInterfaceGetsItsNeighbourKeyPoliciesAndNetwork()
    {
        var lines = FrrRenderer.Apply(Router, null, Peering(), "s3cr3t", None, None);
        foreach (var expected in (string[])
                 [
                     "ip forwarding",
                     "ip prefix-list DX-dxvif-2p6r8s1k-IN seq 5 permit 192.168.8.0/24",
                     "ip prefix-list DX-dxvif-2p6r8s1k-OUT seq 5 permit 10.0.0.0/16",
                     "route-map DX-dxvif-2p6r8s1k-IN permit 10",
                     " match ip address prefix-list DX-dxvif-2p6r8s1k-IN",
                     "ip route 10.0.0.0/16 blackhole 250",
                     "router bgp 64999",
                     " neighbor 169.254.10.2 remote-as 65010",
                     " neighbor 169.254.10.2 local-as 64512 no-prepend replace-as",
                     " neighbor 169.254.10.2 password s3cr3t",
                     "  network 10.0.0.0/16",
                     "  neighbor 169.254.10.2 soft-reconfiguration inbound",
                     "  neighbor 169.254.10.2 route-map DX-dxvif-2p6r8s1k-IN in",
                     "  neighbor 169.254.10.2 route-map DX-dxvif-2p6r8s1k-OUT out",
                 ])
        {
            Assert.Contains(expected, lines);
        }

        // Exact matches only: no `le`/`ge` widening the IDC prefixes.
        Assert.DoesNotContain(lines, l => l.Contains(" le ", StringComparison.Ordinal) || l.Contains(" ge ", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryLineButThePasswordIsMadeOfNamesNumbersAndAddressesOnly()
    {
        var lines = FrrRenderer.Apply(Router, null, Peering(), "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", None, None);
        Assert.All(lines.Where(l => !l.Contains(" password ", StringComparison.Ordinal)),
            l => Assert.Matches("^[A-Za-z0-9 ./-]+$", l));
        Assert.All(lines, l => Assert.DoesNotContain('\n', l));
    }

    [Fact]
    public void ANewVpcChangesTheOutboundListAndTheNetworksAndNotTheSession()
    {
        var before = Peering();
        var after = Peering(p => p.AnnouncedPrefixes.Add("10.1.0.0/16"));
        var lines = FrrRenderer.Apply(Router, before, after, "s3cr3t", new HashSet<string>(["10.0.0.0/16"]), None);
        Assert.Contains("ip prefix-list DX-dxvif-2p6r8s1k-OUT seq 10 permit 10.1.0.0/16", lines);
        Assert.Contains("  network 10.1.0.0/16", lines);
        Assert.DoesNotContain("  network 10.0.0.0/16", lines);
        Assert.DoesNotContain(lines, l => l.Contains("no neighbor", StringComparison.Ordinal) || l.Contains("remote-as", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("no ip prefix-list", StringComparison.Ordinal));
    }

    [Fact]
    public void ANewNeighbourAddressReplacesTheOldSession()
    {
        var before = Peering();
        var after = Peering(p => { p.CloudAddress = "169.254.20.1/30"; p.CustomerAddress = "169.254.20.2/30"; });
        var lines = FrrRenderer.Apply(Router, before, after, null, new HashSet<string>(["10.0.0.0/16"]), None);
        Assert.Contains(" no neighbor 169.254.10.2", lines);
        Assert.Contains(" neighbor 169.254.20.2 remote-as 65010", lines);
        Assert.DoesNotContain(lines, l => l.Contains("password", StringComparison.Ordinal) && !l.StartsWith(" no ", StringComparison.Ordinal));
    }

    [Fact]
    public void AKeyThatIsRemovedIsRemovedFromTheNeighbour()
    {
        var lines = FrrRenderer.Apply(Router, Peering(), Peering(p => p.AuthKeySet = false), null, new HashSet<string>(["10.0.0.0/16"]), None);
        Assert.Contains(" no neighbor 169.254.10.2 password", lines);
    }

    [Fact]
    public void RemovingAnInterfaceKeepsANetworkAnotherStillAnnounces()
    {
        var peering = Peering(p => p.AnnouncedPrefixes.Add("10.1.0.0/16"));
        var lines = FrrRenderer.Remove(Router, peering, new HashSet<string>(["10.0.0.0/16"]));
        Assert.Contains(" no neighbor 169.254.10.2", lines);
        Assert.Contains("  no network 10.1.0.0/16", lines);
        Assert.DoesNotContain("  no network 10.0.0.0/16", lines);
        Assert.Contains("no route-map DX-dxvif-2p6r8s1k-IN", lines);
        Assert.Contains("no ip prefix-list DX-dxvif-2p6r8s1k-OUT", lines);
        Assert.DoesNotContain(lines, l => l.Contains("password", StringComparison.Ordinal));
    }

    [Fact]
    public void AGatewayWithTheRoutersOwnAsnNeedsNoLocalAs()
    {
        var lines = FrrRenderer.Apply(Router with { Asn = 64512 }, null, Peering(), null, None, None);
        Assert.DoesNotContain(lines, l => l.Contains("local-as", StringComparison.Ordinal));
    }
}

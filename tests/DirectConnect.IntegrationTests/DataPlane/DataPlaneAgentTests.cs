namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>
/// The agent on real FRR in network namespaces, as its own process, fed by the contract's test double: the cloud
/// side it renders peers with the customer side the API generates. Needs root and FRR (fails without them).
/// </summary>
public sealed class DataPlaneAgentTests
{
    private const string Key = "s3cr3t-Key";

    [Fact]
    public async Task AnAppliedPeeringComesUpWithTheIdcPrefixReceivedAndTheVpcCidrAdvertised()
    {
        await using var s = await CloudRouterScenario.StartAsync();
        var customer = await s.CustomerAsync(1, Key);
        var position = s.Service.Upsert(CloudRouterScenario.Peering(1), Key);

        var report = await s.ReportAsync(1, r => r.BgpUp && r.ReceivedPrefixes.Count > 0 && r.AdvertisedPrefixes.Count > 0, "up with prefixes");
        Assert.True(report.Applied);
        Assert.Equal("", report.ApplyError);
        Assert.Equal(position, report.Position);
        Assert.Equal("Established", report.BgpState);
        Assert.Equal([CloudRouterScenario.IdcPrefix(1)], report.ReceivedPrefixes);
        Assert.Equal([CloudRouterScenario.VpcCidr(1)], report.AdvertisedPrefixes);
        Assert.NotNull(report.ObserveTime);
        // The customer sees the VPC CIDR, from the gateway's ASN only (local-as … replace-as).
        await Eventually.TrueAsync(async () => (await s.Lab.BgpPrefixesAsync(customer)).Contains(CloudRouterScenario.VpcCidr(1)), "the customer never received the VPC CIDR");
        var neighbor = await s.Lab.NeighborAsync(customer, CloudRouterScenario.CloudAddress(1));
        Assert.Equal(CloudRouterScenario.GatewayAsn, neighbor!.Value.GetProperty("remoteAs").GetInt64());
        // The key reached FRR, and nothing the agent printed.
        Assert.DoesNotContain(Key, s.Agent!.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(s.StateDirectory, "tmp")));
        Assert.DoesNotContain(Key, await File.ReadAllTextAsync(Path.Combine(s.StateDirectory, "state.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongKeyGivesDownWithTheMd5Reason()
    {
        await using var s = await CloudRouterScenario.StartAsync();
        await s.CustomerAsync(1, "not-the-key");
        s.Service.Upsert(CloudRouterScenario.Peering(1), Key);

        var report = await s.ReportAsync(1, r => r.LastError.StartsWith("MD5 authentication failed", StringComparison.Ordinal), "down for MD5");
        Assert.True(report.Applied);
        Assert.False(report.BgpUp);
        Assert.NotEqual("Established", report.BgpState);
        Assert.Empty(report.ReceivedPrefixes);
    }

    [Fact]
    public async Task APrefixOutsideTheIdcPrefixesIsNotAccepted()
    {
        const string Foreign = "172.16.5.0/24";
        await using var s = await CloudRouterScenario.StartAsync();
        await s.CustomerAsync(1, Key, $"""
            ip route {Foreign} blackhole 250
            ip prefix-list {CloudRouterScenario.CustomerOutboundList(1)} seq 100 permit {Foreign}
            router bgp 65001
             address-family ipv4 unicast
              network {Foreign}
             exit-address-family
            exit

            """);
        s.Service.Upsert(CloudRouterScenario.Peering(1), Key);

        // The customer announces it (the cloud keeps what it received before its filter: soft-reconfiguration inbound)…
        await Eventually.TrueAsync(async () =>
        {
            var received = await s.Lab.ShowJsonAsync(s.Cloud, $"show bgp ipv4 unicast neighbors {CloudRouterScenario.CustomerAddress(1)} received-routes json");
            return received.TryGetProperty("receivedRoutes", out var routes) && routes.TryGetProperty(Foreign, out _) && routes.TryGetProperty(CloudRouterScenario.IdcPrefix(1), out _);
        }, "the customer never announced both prefixes");
        // …and only the IDC prefix is accepted.
        var report = await s.ReportAsync(1, r => r.BgpUp && r.ReceivedPrefixes.Count > 0, "up");
        Assert.Equal([CloudRouterScenario.IdcPrefix(1)], report.ReceivedPrefixes);
        Assert.DoesNotContain(Foreign, await s.Lab.BgpPrefixesAsync(s.Cloud));
    }

    [Fact]
    public async Task RemovingTheInterfaceRemovesItsNeighbourAndPolicies()
    {
        await using var s = await CloudRouterScenario.StartAsync();
        await s.CustomerAsync(1, Key);
        s.Service.Upsert(CloudRouterScenario.Peering(1), Key);
        await s.ReportAsync(1, r => r.BgpUp, "up");

        s.Service.Remove(CloudRouterScenario.VirtualInterfaceId(1));

        await Eventually.TrueAsync(async () => await s.Lab.NeighborAsync(s.Cloud, CloudRouterScenario.CustomerAddress(1)) is null,
            "the cloud router still has the neighbour");
        var running = await FrrLab.RunAsync("vtysh", "-N", s.Cloud, "-c", "show running-config");
        Assert.DoesNotContain(CloudRouterScenario.VirtualInterfaceId(1), running.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudRouterScenario.VpcCidr(1), running.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInterfaceWhoseSubInterfaceIsMissingFailsAloneWithTheReason()
    {
        await using var s = await CloudRouterScenario.StartAsync();
        await s.CustomerAsync(1, Key);
        s.Service.Upsert(CloudRouterScenario.Peering(1), Key);
        await s.ReportAsync(1, r => r.BgpUp, "up");
        var established = await s.EstablishedCountAsync(1);

        // No eth1.102 exists, and this kernel has no 802.1Q to create it.
        var position = s.Service.Upsert(CloudRouterScenario.Peering(2), null);

        var failed = await s.ReportAsync(2, r => r.ApplyError.Length > 0, "failed");
        Assert.False(failed.Applied);
        Assert.Equal(position, failed.Position);
        Assert.Contains("eth1.102", failed.ApplyError, StringComparison.Ordinal);
        Assert.Null(await s.Lab.NeighborAsync(s.Cloud, CloudRouterScenario.CustomerAddress(2)));
        Assert.True(s.Service.LatestReport(CloudRouterScenario.VirtualInterfaceId(1))!.BgpUp);
        Assert.Equal(established, await s.EstablishedCountAsync(1));
    }

    [Fact]
    public async Task AKilledAgentResumesFromItsPositionMissingNoChangeAndFlappingNoSession()
    {
        await using var s = await CloudRouterScenario.StartAsync();
        var customers = new[] { await s.CustomerAsync(1, Key), await s.CustomerAsync(2, Key) };
        s.Service.Upsert(CloudRouterScenario.Peering(1), Key);
        s.Service.Upsert(CloudRouterScenario.Peering(2), Key);
        await s.ReportAsync(1, r => r.BgpUp, "up");
        await s.ReportAsync(2, r => r.BgpUp && r.AdvertisedPrefixes.Count > 0, "up");
        var appliedPosition = s.Service.Position;
        // Counted once settled: both sides connect, and a collision may yet replace the first session.
        var established = await Eventually.StableAsync(async () => (await s.EstablishedCountAsync(1), await s.EstablishedCountAsync(2)));
        var uptime1 = (await s.Lab.NeighborAsync(s.Cloud, CloudRouterScenario.CustomerAddress(1)))!.Value.GetProperty("bgpTimerUpEstablishedEpoch").GetInt64();

        await s.Agent!.KillAsync();
        // While the agent is down, interface 2's gateway gets a second VPC.
        var changed = CloudRouterScenario.Peering(2);
        changed.AnnouncedPrefixes.Add("10.200.0.0/16");
        var position = s.Service.Upsert(changed, Key);
        var restarted = await s.StartAgentAsync();

        await s.ReportAsync(2, r => r.Position == position && r.AdvertisedPrefixes.Contains("10.200.0.0/16"), "with the new VPC");
        await Eventually.TrueAsync(async () => (await s.Lab.BgpPrefixesAsync(customers[1])).Contains("10.200.0.0/16"), "customer 2 never received the new VPC");
        Assert.Equal([0, appliedPosition], s.Service.StreamsOpenedAfter);
        // Interface 1 was not applied again (interface 2 was: the log says so), and neither session went down.
        Assert.Contains($"Applied virtual interface {CloudRouterScenario.VirtualInterfaceId(2)} at position {position}", restarted.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"Applied virtual interface {CloudRouterScenario.VirtualInterfaceId(1)}", restarted.Output, StringComparison.Ordinal);
        Assert.Equal(established, (await s.EstablishedCountAsync(1), await s.EstablishedCountAsync(2)));
        // FRR derives the epoch at each read from the wall clock minus the session's uptime, both in whole seconds, so two
        // reads of one session may differ by a second (it failed that way in CI); a new session would also count above.
        var uptimeAfter = (await s.Lab.NeighborAsync(s.Cloud, CloudRouterScenario.CustomerAddress(1)))!.Value.GetProperty("bgpTimerUpEstablishedEpoch").GetInt64();
        Assert.InRange(uptimeAfter, uptime1 - 1, uptime1 + 1);
        Assert.DoesNotContain("10.200.0.0/16", await s.Lab.BgpPrefixesAsync(customers[0]));
    }
}

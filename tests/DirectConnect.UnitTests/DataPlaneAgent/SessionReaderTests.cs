using DirectConnect.DataPlaneAgent.Frr;

namespace DirectConnect.UnitTests.DataPlaneAgent;

/// <summary>Reading FRR 8.4's JSON (as vtysh prints several commands' output, one value after another) and the kernel's MD5 counters.</summary>
public sealed class SessionReaderTests
{
    private const string Output = """
        {
          "169.254.1.2":{
            "remoteAs":65010,
            "bgpState":"Connect",
            "lastNotificationReason":"Cease\/Other Configuration Change",
            "lastResetDueTo":"BGP Notification received"
          }
        }
        {
         "routes": { "192.168.8.0/24": [{"valid":true}] }  }
        {
          "advertisedRoutes":{ "10.9.0.0/16":{ "network":"10.9.0.0/16" } },
          "totalPrefixCounter":1
        }
        {
          "bgpNoSuchNeighbor":true
        }
        {
          "warning":"No such neighbor in this view/vrf"
        }
        {
          "warning":"No such neighbor in this view/vrf"
        }
        """;

    [Fact]
    public void EachNeighbourReadsItsStateErrorAndPrefixes()
    {
        var sessions = SessionReader.Parse(["169.254.1.2", "169.254.9.2"], Output);
        var session = sessions["169.254.1.2"];
        Assert.Equal("Connect", session.State);
        Assert.False(session.Up);
        Assert.Equal("Cease/Other Configuration Change", session.LastError);
        Assert.Equal(["192.168.8.0/24"], session.Received);
        Assert.Equal(["10.9.0.0/16"], session.Advertised);
        Assert.False(sessions.ContainsKey("169.254.9.2"));
    }

    [Fact]
    public void OutputThatIsNotJsonReadsAsNoSession() =>
        Assert.Empty(SessionReader.Parse(["169.254.1.2"], "% Unknown command: show bgp"));

    [Fact]
    public void Md5DropsAreReadFromTheTcpExtCountersAndTheirGrowthNamed()
    {
        const string before = "TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\nTcpExt: 0 0 0 2\nIpExt: InNoRoutes\nIpExt: 0\n";
        const string after = "TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\nTcpExt: 0 1 0 5\nIpExt: InNoRoutes\nIpExt: 0\n";
        var error = SessionReader.Md5Error(SessionReader.Md5Drops(before), SessionReader.Md5Drops(after));
        Assert.Equal("MD5 authentication failed (TcpExtTCPMD5Failure +3, TcpExtTCPMD5NotFound +1)", error);
        Assert.Null(SessionReader.Md5Error(SessionReader.Md5Drops(after), SessionReader.Md5Drops(after)));
    }
}

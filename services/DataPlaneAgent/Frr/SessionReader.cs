using System.Text;
using System.Text.Json;
using static System.FormattableString;

namespace DirectConnect.DataPlaneAgent.Frr;

/// <summary>One BGP session as FRR shows it.</summary>
internal sealed record SessionObservation(string State, string LastError, IReadOnlyList<string> Received, IReadOnlyList<string> Advertised)
{
    /// <summary>True when the session is Established.</summary>
    public bool Up => State == "Established";
}

/// <summary>
/// Reads the sessions from FRR's JSON (<c>show bgp neighbors X json</c>, <c>… routes json</c> — what the inbound
/// filter accepted — and <c>… advertised-routes json</c>) and MD5 failures from the namespace's kernel counters,
/// which are the only place they show: a segment with a wrong or missing signature never reaches bgpd.
/// </summary>
internal static class SessionReader
{
    /// <summary>The kernel counters of segments dropped for their TCP MD5 signature.</summary>
    public static readonly string[] Md5Counters = ["TCPMD5Failure", "TCPMD5NotFound", "TCPMD5Unexpected"];

    /// <summary>The show commands for <paramref name="neighbors"/>, three per neighbour, in the order <see cref="Parse"/> reads them.</summary>
    public static IEnumerable<string> Commands(IEnumerable<string> neighbors) => neighbors.SelectMany(n => (string[])
    [
        $"show bgp neighbors {n} json",
        $"show bgp ipv4 unicast neighbors {n} routes json",
        $"show bgp ipv4 unicast neighbors {n} advertised-routes json",
    ]);

    /// <summary>Reads vtysh's output of <see cref="Commands"/>: a JSON value per command, one after the other.</summary>
    public static IReadOnlyDictionary<string, SessionObservation> Parse(IReadOnlyList<string> neighbors, string output)
    {
        var values = ReadValues(output);
        var sessions = new Dictionary<string, SessionObservation>(StringComparer.Ordinal);
        for (var i = 0; i < neighbors.Count && (i * 3) + 2 < values.Count; i++)
        {
            var neighbor = neighbors[i];
            if (!values[i * 3].TryGetProperty(neighbor, out var detail))
            {
                continue;
            }

            var state = Text(detail, "bgpState") ?? "Idle";
            var lastError = state == "Established" ? "" : Text(detail, "lastNotificationReason") ?? Text(detail, "lastResetDueTo") ?? "";
            sessions[neighbor] = new SessionObservation(state, lastError.Replace("\\/", "/", StringComparison.Ordinal),
                Keys(values[(i * 3) + 1], "routes"), Keys(values[(i * 3) + 2], "advertisedRoutes"));
        }

        return sessions;
    }

    /// <summary>The MD5 drop counters in <c>/proc/net/netstat</c> text, by name; absent ones read 0.</summary>
    public static IReadOnlyDictionary<string, long> Md5Drops(string netstat)
    {
        var counters = Md5Counters.ToDictionary(c => c, _ => 0L, StringComparer.Ordinal);
        var lines = (netstat ?? "").Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("TcpExt:", StringComparison.Ordinal) || !lines[i + 1].StartsWith("TcpExt:", StringComparison.Ordinal))
            {
                continue;
            }

            var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var counts = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var k = 1; k < Math.Min(names.Length, counts.Length); k++)
            {
                if (counters.ContainsKey(names[k]) && long.TryParse(counts[k], out var count))
                {
                    counters[names[k]] = count;
                }
            }

            break;
        }

        return counters;
    }

    /// <summary>The last error to report when MD5 counters grew from <paramref name="before"/> to <paramref name="after"/>; null when none did.</summary>
    public static string? Md5Error(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        var grown = Md5Counters.Where(c => after.GetValueOrDefault(c) > before.GetValueOrDefault(c))
            .Select(c => Invariant($"TcpExt{c} +{after[c] - before.GetValueOrDefault(c)}")).ToList();
        return grown.Count == 0 ? null : $"MD5 authentication failed ({string.Join(", ", grown)})";
    }

    private static List<JsonElement> ReadValues(string output)
    {
        var values = new List<JsonElement>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(output), new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                values.Add(JsonElement.ParseValue(ref reader));
            }
        }
        catch (JsonException)
        {
            // Text that is not JSON (an error message) ends what can be read: later sessions read as unknown.
        }

        return values;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> Keys(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var table) && table.ValueKind == JsonValueKind.Object
            ? [.. table.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)]
            : [];
}

using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DirectConnect.Benchmarks;

/// <summary>One h2load run: what it counted, and each completed request's latency from its per-request log.</summary>
internal sealed record H2LoadResult(long Succeeded, long Failed, long Errored, long NonSuccessStatus, double Seconds, double[] LatenciesMs)
{
    public double Rps => Succeeded / Seconds;
}

/// <summary>Runs h2load (Debian package nghttp2-client) as a child process.</summary>
internal static partial class H2Load
{
    public const string Install = "h2load is missing: install it with `sudo apt-get install nghttp2-client` (Debian/Ubuntu), then run the benchmark again.";

    /// <summary>Fails loudly, with how to install it, when h2load is not on the PATH.</summary>
    public static void Require()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("h2load", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            probe.WaitForExit();
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException(Install);
        }
    }

    /// <summary>
    /// Sends <paramref name="requests"/> requests to <paramref name="url"/> with <paramref name="arguments"/> (clients, streams,
    /// headers, body) and waits for all of them: a count, not a duration, so that no request is cut off when time is up and
    /// the server's count of outcomes must match h2load's exactly.
    /// </summary>
    public static async Task<H2LoadResult> RunAsync(IEnumerable<string> arguments, Uri url, long requests)
    {
        var log = Path.Combine(Path.GetTempPath(), $"dc-h2load-{Guid.NewGuid():N}.log");
        try
        {
            var start = new ProcessStartInfo("h2load") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // One h2load thread: on a small machine the load generator must not take the cores the server needs.
            start.ArgumentList.Add("-t1");
            start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"-n{requests}"));
            start.ArgumentList.Add($"--log-file={log}");
            start.ArgumentList.Add(url.ToString());
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception)
            {
                throw new InvalidOperationException(Install);
            }

            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                var text = await output;
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"h2load exited with {process.ExitCode}: {await error}\n{text}");
                }

                return Parse(text, await File.ReadAllLinesAsync(log));
            }
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static H2LoadResult Parse(string output, string[] log)
    {
        var requests = RequestsLine().Match(output);
        var statuses = StatusLine().Match(output);
        var finished = FinishedLine().Match(output);
        if (!requests.Success || !statuses.Success || !finished.Success)
        {
            throw new InvalidOperationException($"Unexpected h2load output:\n{output}");
        }

        long Number(Match match, string group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        // The log: start time (µs since the epoch), HTTP status, µs until the end of the response; one line a request.
        var latencies = log.Select(line => line.Split('\t'))
            .Where(fields => fields.Length >= 3 && fields[1].StartsWith('2'))
            .Select(fields => double.Parse(fields[2], CultureInfo.InvariantCulture) / 1000)
            .ToArray();
        return new H2LoadResult(Number(requests, "succeeded"), Number(requests, "failed"), Number(requests, "errored"),
            Number(statuses, "s3") + Number(statuses, "s4") + Number(statuses, "s5"),
            double.Parse(finished.Groups["time"].Value, CultureInfo.InvariantCulture) / (finished.Groups["unit"].Value == "ms" ? 1000 : 1), latencies);
    }

    [GeneratedRegex(@"finished in (?<time>[0-9.]+)(?<unit>s|ms),")]
    private static partial Regex FinishedLine();

    [GeneratedRegex(@"requests: (?<total>\d+) total, (?<started>\d+) started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"status codes: (?<s2>\d+) 2xx, (?<s3>\d+) 3xx, (?<s4>\d+) 4xx, (?<s5>\d+) 5xx")]
    private static partial Regex StatusLine();
}

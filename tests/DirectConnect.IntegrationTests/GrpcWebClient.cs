using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A gRPC-Web call as a browser's fetch() makes it: an HTTP/1.1 POST of one length-prefixed message
/// (<c>application/grpc-web+proto</c>, or base64 <c>application/grpc-web-text</c>), answered by data frames
/// and a trailer frame in the body, or by a trailers-only answer in the headers.
/// </summary>
internal static class GrpcWebClient
{
    /// <summary>Calls <paramref name="path"/> (<c>/package.Service/Method</c>) at <paramref name="baseAddress"/>.</summary>
    public static async Task<GrpcWebAnswer> CallAsync(Uri baseAddress, string path, IMessage request, string? token = null,
        bool text = false, string? origin = null, bool chunked = false)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, DefaultRequestVersion = HttpVersion.Version11 };
        var frame = Frame(request.ToByteArray());
        var body = text ? Encoding.ASCII.GetBytes(Convert.ToBase64String(frame)) : frame;
        HttpContent content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
        var type = text ? "application/grpc-web-text" : "application/grpc-web+proto";
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = content, Version = HttpVersion.Version11 };
        message.Headers.TryAddWithoutValidation("accept", type);
        message.Headers.TryAddWithoutValidation("x-grpc-web", "1");
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            message.Headers.TryAddWithoutValidation("Origin", origin);
        }

        var response = await http.SendAsync(message);
        var raw = await response.Content.ReadAsByteArrayAsync();
        return GrpcWebAnswer.Read(response, text ? DecodeBase64Chunks(raw) : raw);
    }

    /// <summary>One gRPC frame: an uncompressed message with its 4-byte big-endian length.</summary>
    public static byte[] Frame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    // A grpc-web-text body is base64 in pieces, each padded on its own (a data frame, then the trailers).
    private static byte[] DecodeBase64Chunks(byte[] raw)
    {
        var decoded = new List<byte>();
        var text = Encoding.ASCII.GetString(raw);
        for (var i = 0; i + 4 <= text.Length; i += 4)
        {
            decoded.AddRange(Convert.FromBase64String(text.Substring(i, 4)));
        }

        return [.. decoded];
    }

    /// <summary>A body that does not tell its length, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>What a gRPC-Web call got: the response, its messages, and its status from the trailer frame or the headers.</summary>
internal sealed record GrpcWebAnswer(HttpResponseMessage Response, IReadOnlyList<byte[]> Messages, IReadOnlyDictionary<string, string> Trailers)
{
    /// <summary>grpc-status.</summary>
    public int Code => Trailers.TryGetValue("grpc-status", out var code)
        ? int.Parse(code, System.Globalization.CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"No grpc-status: HTTP {(int)Response.StatusCode}, {Response.Headers}{Response.Content.Headers}{Messages.Count} message(s)");

    /// <summary>The google.rpc.Status in grpc-status-details-bin, if any.</summary>
    public Google.Rpc.Status? Details =>
        Trailers.TryGetValue("grpc-status-details-bin", out var bin) ? Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(bin)) : null;

    /// <summary>The ErrorInfo reason among the details.</summary>
    public string? Reason => Details?.Details.Select(d => d.TryUnpack<Google.Rpc.ErrorInfo>(out var info) ? info.Reason : null).FirstOrDefault(r => r is not null);

    /// <summary>The one header <paramref name="name"/> of the response (content headers included), or null.</summary>
    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    /// <summary>Reads <paramref name="body"/> (decoded) of <paramref name="response"/>.</summary>
    public static GrpcWebAnswer Read(HttpResponseMessage response, byte[] body)
    {
        var messages = new List<byte[]>();
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var at = 0; at + 5 <= body.Length;)
        {
            var flag = body[at];
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at + 1));
            var payload = body.AsSpan(at + 5, length).ToArray();
            at += 5 + length;
            if ((flag & 0x80) == 0)
            {
                messages.Add(payload);
                continue;
            }

            foreach (var line in Encoding.ASCII.GetString(payload).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                trailers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        if (trailers.Count == 0)
        {
            // Trailers-only: the status is in the headers.
            foreach (var name in new[] { "grpc-status", "grpc-message", "grpc-status-details-bin" })
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    trailers[name] = values.Single();
                }
            }
        }

        return new GrpcWebAnswer(response, messages, trailers);
    }
}

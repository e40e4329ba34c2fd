using Snappier;

namespace PitfallLab.Tests.Fixtures;

/// <summary>One series for a remote-write request: its labels (<c>__name__</c> among them) and samples (unix ms, value).</summary>
public sealed record WriteSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples);

/// <summary>
/// A Prometheus remote-write 1.0 request, as k6's experimental-prometheus-rw output sends it: a protobuf
/// <c>WriteRequest</c>, snappy block-compressed, POSTed to /api/v1/write. The protobuf is three small messages,
/// written here by hand rather than generated (no .proto tooling for a test).
/// </summary>
public static class RemoteWrite
{
    public static async Task PushAsync(HttpClient prometheus, IEnumerable<WriteSeries> series)
    {
        var request = new ProtoWriter();
        foreach (var s in series)
            request.Message(1, ts => // WriteRequest.timeseries = 1
            {
                foreach (var (name, value) in s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)) // sorted, as the spec asks
                    ts.Message(1, label => label.String(1, name).String(2, value)); // TimeSeries.labels = 1: Label{name=1, value=2}
                foreach (var (t, v) in s.Samples)
                    ts.Message(2, sample => sample.Double(1, v).Varint(2, (ulong)t)); // TimeSeries.samples = 2: Sample{value=1, timestamp=2}
            });

        using var content = new ByteArrayContent(Snappy.CompressToArray(request.ToArray()));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = content };
        message.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        using var response = await prometheus.SendAsync(message);
        Assert.True(response.IsSuccessStatusCode,
            $"remote write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The protobuf wire format's three field kinds this needs: varint (0), 64-bit (1), length-delimited (2).</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream bytes = new();

        public byte[] ToArray() => bytes.ToArray();

        public ProtoWriter Varint(int field, ulong value) => Tag(field, 0).Raw(value);

        public ProtoWriter Double(int field, double value)
        {
            Tag(field, 1);
            bytes.Write(BitConverter.GetBytes(value)); // little-endian on every machine .NET 10 runs this on
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, Action<ProtoWriter> write)
        {
            var inner = new ProtoWriter();
            write(inner);
            return Bytes(field, inner.ToArray());
        }

        private ProtoWriter Bytes(int field, byte[] value)
        {
            Tag(field, 2).Raw((ulong)value.Length);
            bytes.Write(value);
            return this;
        }

        private ProtoWriter Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private ProtoWriter Raw(ulong value)
        {
            for (; value >= 0x80; value >>= 7)
                bytes.WriteByte((byte)(value | 0x80));
            bytes.WriteByte((byte)value);
            return this;
        }
    }
}

// A scripted DNS server on a loopback UDP port for what knot and unbound will not do on
// demand: record the exact query bytes a DxResolver sends, and answer with a chosen
// response code, flags and TXT strings (REFUSED, FORMERR, AD without DO, a wrong question).
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class FakeDnsServer : IDisposable
{
    public const ushort FlagQr = 0x8000;
    public const ushort FlagRd = 0x0100;
    public const ushort FlagRa = 0x0080;
    public const ushort FlagAd = 0x0020;
    public const ushort FlagCd = 0x0010;

    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new();
    private readonly Func<Query, byte[]?> answer;
    private readonly Task loop;

    /// <param name="answer">The response to a query, or null to stay silent.</param>
    public FakeDnsServer(Func<Query, byte[]?> answer)
    {
        this.answer = answer;
        loop = Task.Run(ServeAsync);
    }

    public IPEndPoint Endpoint => (IPEndPoint)udp.Client.LocalEndPoint!;

    public ConcurrentQueue<Query> Queries { get; } = new();

    public void Dispose()
    {
        stop.Cancel();
        udp.Dispose();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends on the disposed socket.
        }

        stop.Dispose();
    }

    /// <summary>A response echoing the question, with the given code and flags and TXT answers (each an RR of strings).</summary>
    public static byte[] Response(Query query, int responseCode, ushort flags, uint ttl = 300, params string[][] txt)
    {
        var message = new List<byte>(512);
        message.AddRange(query.Bytes.AsSpan(0, 2).ToArray());
        AddUInt16(message, (ushort)(FlagQr | flags | (responseCode & 0xF)));
        AddUInt16(message, 1);
        AddUInt16(message, (ushort)txt.Length);
        AddUInt16(message, 0);
        AddUInt16(message, 0);
        message.AddRange(query.Bytes.AsSpan(12, query.QuestionEnd - 12).ToArray());
        foreach (var strings in txt)
        {
            AddUInt16(message, 0xC00C); // the question's name
            AddUInt16(message, 16);
            AddUInt16(message, 1);
            message.AddRange([(byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl]);
            var rdata = strings.SelectMany(s => new[] { (byte)s.Length }.Concat(Encoding.ASCII.GetBytes(s))).ToArray();
            AddUInt16(message, (ushort)rdata.Length);
            message.AddRange(rdata);
        }

        return [.. message];
    }

    private static void AddUInt16(List<byte> message, ushort value)
    {
        message.Add((byte)(value >> 8));
        message.Add((byte)value);
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await udp.ReceiveAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var query = Query.Parse(received.Buffer);
            Queries.Enqueue(query);
            if (answer(query) is { } response)
            {
                await udp.SendAsync(response, received.RemoteEndPoint, stop.Token);
            }
        }
    }

    /// <summary>A query as received: header flags, the question, and the EDNS OPT record if any.</summary>
    public sealed record Query(byte[] Bytes, ushort Flags, string Name, ushort Type, ushort Class, int QuestionEnd, int AdditionalCount, ushort? EdnsPayload, uint? EdnsTtl)
    {
        public bool DnssecOk => EdnsTtl is { } ttl && (ttl & 0x8000) != 0;

        public static Query Parse(byte[] bytes)
        {
            var flags = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2));
            var additional = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10));
            var position = 12;
            var labels = new List<string>();
            while (bytes[position] != 0)
            {
                labels.Add(Encoding.ASCII.GetString(bytes, position + 1, bytes[position]));
                position += 1 + bytes[position];
            }

            position++;
            var type = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position));
            var @class = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 2));
            var questionEnd = position + 4;
            ushort? payload = null;
            uint? ednsTtl = null;
            position = questionEnd;
            for (var i = 0; i < additional; i++)
            {
                // Only the OPT pseudo-RR is expected here: root name, type 41.
                if (bytes[position] == 0 && BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 1)) == 41)
                {
                    payload = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 3));
                    ednsTtl = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(position + 5));
                }

                position += 11 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 9));
            }

            return new Query(bytes, flags, string.Join('.', labels), type, @class, questionEnd, additional, payload, ednsTtl);
        }
    }
}

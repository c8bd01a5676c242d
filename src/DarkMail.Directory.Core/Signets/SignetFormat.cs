// DESIGN §4 / spec/signets.md "Encoding": the user signet record.
// Record = type u16 BE (0x444D, "DM") || length u24 BE (bytes after the header) || fields;
// field = id u8 || length u16 BE || data; ids strictly ascending, each known id at most
// once; the whole record at most 1024 bytes. Parsing is one pass over the bytes with no
// allocation except the address string, and reports the first rule broken. Field 0x09
// (OpenPGP commitment, DESIGN §11) is optional and part of the body.
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Core.Signets;

public static class SignetFormat
{
    /// <summary>
    /// The record type, 0x444D ("DM"). Not DIME's user-signet number 1789 (0x06FD): the layout is
    /// ours, and libdime rejects any magic number but its own (spec/signets.md §2.4).
    /// </summary>
    public const ushort RecordType = 0x444D;
    public const int HeaderSize = 5;
    public const int FieldHeaderSize = 3;
    public const int MaxSize = 1024;
    public const int KeySize = 32;
    public const int HashSize = 32;
    public const int SignatureSize = 64;

    /// <summary>Field 0x09: SHA-256 of the binary OpenPGP certificate (32) || its v4 fingerprint (20).</summary>
    public const int OpenPgpCommitmentSize = HashSize + OpenPgpFingerprintSize;

    /// <summary>A v4 OpenPGP fingerprint (RFC 4880 §12.2: SHA-1), 20 bytes.</summary>
    public const int OpenPgpFingerprintSize = 20;

    /// <summary>Flags bit 0: the key is revoked. Every other bit is reserved and must be 0.</summary>
    public const byte RevokedFlag = 0x01;

    /// <summary>Size of one encoded signature field (3-byte field header and 64-byte signature).</summary>
    public const int SignatureFieldSize = FieldHeaderSize + SignatureSize;

    internal static ReadOnlySpan<byte> UserContext => "dmd/signet-user/v1\n"u8;

    internal static ReadOnlySpan<byte> OrgContext => "dmd/signet-org/v1\n"u8;

    /// <summary>
    /// Parses the framing and every rule that does not depend on which signatures the
    /// caller requires. Returns null on success or the error code of the first rule broken.
    /// </summary>
    internal static string? Parse(ReadOnlySpan<byte> data, out SignetLayout layout, out Address? address)
    {
        layout = default;
        address = null;
        if (data.Length > MaxSize)
        {
            return SignetErrors.TooLong;
        }

        if (data.Length < HeaderSize)
        {
            return SignetErrors.TooShort;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(data) != RecordType)
        {
            return SignetErrors.Type;
        }

        var length = (data[2] << 16) | (data[3] << 8) | data[4];
        if (length > data.Length - HeaderSize)
        {
            return SignetErrors.Truncated;
        }

        if (length < data.Length - HeaderSize)
        {
            return SignetErrors.TrailingBytes;
        }

        layout.PreviousHash = -1;
        layout.OpenPgp = -1;
        layout.Custody = -1;
        layout.User = -1;
        layout.Org = -1;
        var end = data.Length;
        var position = HeaderSize;
        var lastId = 0;
        var seen = 0u;
        while (position < end)
        {
            if (end - position < FieldHeaderSize)
            {
                return SignetErrors.FieldTruncated;
            }

            int id = data[position];
            int fieldLength = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 1)..]);
            var start = position + FieldHeaderSize;
            if (fieldLength > end - start)
            {
                return SignetErrors.FieldTruncated;
            }

            var expected = ExpectedLength(id);
            if (expected == 0)
            {
                return SignetErrors.FieldUnknown;
            }

            if (id == lastId)
            {
                return SignetErrors.FieldDuplicate;
            }

            if (id < lastId)
            {
                return SignetErrors.FieldOrder;
            }

            if (expected > 0 ? fieldLength != expected : fieldLength is 0 or > Address.MaxUtf8Bytes)
            {
                return SignetErrors.FieldLength;
            }

            var value = data.Slice(start, fieldLength);
            switch ((SignetFieldId)id)
            {
                case SignetFieldId.Address:
                    var code = ParseAddress(value, out address);
                    if (code is not null)
                    {
                        return code;
                    }

                    layout.Address = start;
                    layout.AddressLength = fieldLength;
                    break;
                case SignetFieldId.Version:
                    layout.Version = BinaryPrimitives.ReadUInt32BigEndian(value);
                    if (layout.Version == 0)
                    {
                        return SignetErrors.VersionZero;
                    }

                    break;
                case SignetFieldId.Created:
                    layout.Created = BinaryPrimitives.ReadUInt64BigEndian(value);
                    break;
                case SignetFieldId.Expires:
                    layout.Expires = BinaryPrimitives.ReadUInt64BigEndian(value);
                    break;
                case SignetFieldId.SigningKey:
                    layout.SigningKey = start;
                    break;
                case SignetFieldId.EncryptionKey:
                    layout.EncryptionKey = start;
                    break;
                case SignetFieldId.PreviousHash:
                    layout.PreviousHash = start;
                    break;
                case SignetFieldId.Flags:
                    layout.Flags = value[0];
                    if ((layout.Flags & ~RevokedFlag) != 0)
                    {
                        return SignetErrors.FlagsReserved;
                    }

                    break;
                case SignetFieldId.OpenPgp:
                    layout.OpenPgp = start;
                    break;
                case SignetFieldId.CustodySignature:
                    layout.Custody = start;
                    break;
                case SignetFieldId.UserSignature:
                    layout.User = start;
                    break;
                default:
                    layout.Org = start;
                    break;
            }

            if (id <= (int)SignetFieldId.OpenPgp)
            {
                layout.BodyEnd = start + fieldLength;
            }

            seen |= 1u << id;
            lastId = id;
            position = start + fieldLength;
        }

        const uint requiredBody = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8);
        if ((seen & requiredBody) != requiredBody)
        {
            return SignetErrors.FieldMissing;
        }

        if (layout.Version == 1 && layout.PreviousHash >= 0)
        {
            return SignetErrors.PreviousHashUnexpected;
        }

        if (layout.Version > 1 && layout.PreviousHash < 0)
        {
            return SignetErrors.PreviousHashMissing;
        }

        if (layout.Expires <= layout.Created)
        {
            return SignetErrors.Expiry;
        }

        if (layout.Version == 1 && layout.Custody >= 0)
        {
            return SignetErrors.CustodyOnFirstVersion;
        }

        layout.Length = end;
        return null;
    }

    /// <summary>Writes header and body fields; the header's length covers only the body.</summary>
    internal static byte[] EncodeBody(
        string address, uint version, ulong created, ulong expires,
        ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> previousHash, byte flags,
        ReadOnlySpan<byte> openPgp = default)
    {
        var addressLength = Encoding.UTF8.GetByteCount(address);
        var size = HeaderSize
            + FieldHeaderSize + addressLength
            + FieldHeaderSize + 4
            + (2 * (FieldHeaderSize + 8))
            + (2 * (FieldHeaderSize + KeySize))
            + (previousHash.IsEmpty ? 0 : FieldHeaderSize + HashSize)
            + FieldHeaderSize + 1
            + (openPgp.IsEmpty ? 0 : FieldHeaderSize + OpenPgpCommitmentSize);
        var buffer = new byte[size];
        var span = buffer.AsSpan(HeaderSize);
        span = WriteFieldHeader(span, SignetFieldId.Address, addressLength);
        span = span[Encoding.UTF8.GetBytes(address, span)..];
        span = WriteFieldHeader(span, SignetFieldId.Version, 4);
        BinaryPrimitives.WriteUInt32BigEndian(span, version);
        span = WriteFieldHeader(span[4..], SignetFieldId.Created, 8);
        BinaryPrimitives.WriteUInt64BigEndian(span, created);
        span = WriteFieldHeader(span[8..], SignetFieldId.Expires, 8);
        BinaryPrimitives.WriteUInt64BigEndian(span, expires);
        span = WriteFieldHeader(span[8..], SignetFieldId.SigningKey, KeySize);
        signingKey.CopyTo(span);
        span = WriteFieldHeader(span[KeySize..], SignetFieldId.EncryptionKey, KeySize);
        encryptionKey.CopyTo(span);
        span = span[KeySize..];
        if (!previousHash.IsEmpty)
        {
            span = WriteFieldHeader(span, SignetFieldId.PreviousHash, HashSize);
            previousHash.CopyTo(span);
            span = span[HashSize..];
        }

        span = WriteFieldHeader(span, SignetFieldId.Flags, 1);
        span[0] = flags;
        if (!openPgp.IsEmpty)
        {
            span = WriteFieldHeader(span[1..], SignetFieldId.OpenPgp, OpenPgpCommitmentSize);
            openPgp.CopyTo(span);
        }

        WriteHeader(buffer);
        return buffer;
    }

    /// <summary>Returns a copy of <paramref name="record"/> with one signature field appended.</summary>
    internal static byte[] AppendSignature(ReadOnlySpan<byte> record, SignetFieldId id, ReadOnlySpan<byte> signature)
    {
        var buffer = new byte[record.Length + SignatureFieldSize];
        record.CopyTo(buffer);
        var span = WriteFieldHeader(buffer.AsSpan(record.Length), id, SignatureSize);
        signature.CopyTo(span);
        WriteHeader(buffer);
        return buffer;
    }

    private static void WriteHeader(Span<byte> record)
    {
        var length = record.Length - HeaderSize;
        BinaryPrimitives.WriteUInt16BigEndian(record, RecordType);
        record[2] = unchecked((byte)(length >> 16));
        record[3] = unchecked((byte)(length >> 8));
        record[4] = unchecked((byte)length);
    }

    private static Span<byte> WriteFieldHeader(Span<byte> span, SignetFieldId id, int length)
    {
        span[0] = (byte)id;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        return span[FieldHeaderSize..];
    }

    /// <summary>The exact data length of a field id, -1 for the variable-length address, 0 for an unknown id.</summary>
    private static int ExpectedLength(int id) => id switch
    {
        0x01 => -1,
        0x02 => 4,
        0x03 or 0x04 => 8,
        0x05 or 0x06 or 0x07 => 32,
        0x08 => 1,
        0x09 => OpenPgpCommitmentSize,
        0x10 or 0x11 or 0x12 => SignatureSize,
        _ => 0,
    };

    private static string? ParseAddress(ReadOnlySpan<byte> value, out Address? address)
    {
        address = null;
        if (!Utf8.IsValid(value))
        {
            return SignetErrors.AddressUtf8;
        }

        var text = Encoding.UTF8.GetString(value);
        if (!Address.TryParse(text, out address, out _))
        {
            return SignetErrors.AddressInvalid;
        }

        if (!string.Equals(address.ToString(), text, StringComparison.Ordinal))
        {
            address = null;
            return SignetErrors.AddressNotNormalised;
        }

        return null;
    }
}

/// <summary>Where each field of a parsed record lives: data offsets into the encoded bytes, -1 when absent.</summary>
internal struct SignetLayout
{
    public int Length;
    public int Address;
    public int AddressLength;
    public uint Version;
    public ulong Created;
    public ulong Expires;
    public int SigningKey;
    public int EncryptionKey;
    public int PreviousHash;
    public byte Flags;
    public int OpenPgp;
    public int BodyEnd;
    public int Custody;
    public int User;
    public int Org;
}

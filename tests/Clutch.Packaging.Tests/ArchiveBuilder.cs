using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Clutch.Packaging.Tests;

/// <summary>Builds test archives in memory.</summary>
internal static class ArchiveBuilder
{
    public static string Metadata(string name, string version, string extra = "")
        => $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n{extra}\nA description.\n";

    public static MemoryStream Zip(params (string Name, string Content)[] members)
        => Zip(members.Select(m => new ZipMember(m.Name, Encoding.UTF8.GetBytes(m.Content))).ToArray());

    public static MemoryStream Zip(params ZipMember[] members)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var member in members)
            {
                var entry = zip.CreateEntry(member.Name, member.ZeroBytes > 0 ? CompressionLevel.SmallestSize : CompressionLevel.Fastest);
                if (member.UnixMode != 0)
                {
                    entry.ExternalAttributes = member.UnixMode << 16;
                }

                using var data = entry.Open();
                if (member.ZeroBytes > 0)
                {
                    WriteZeros(data, member.ZeroBytes);
                }
                else
                {
                    data.Write(member.Content);
                }
            }
        }

        stream.Position = 0;
        return stream;
    }

    public static MemoryStream TarGz(params TarMember[] members)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var member in members)
            {
                var entry = new PaxTarEntry(member.Type, member.Name);
                if (member.Type is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                {
                    entry.LinkName = member.LinkName ?? "target";
                }
                else if (member.Type == TarEntryType.RegularFile)
                {
                    entry.DataStream = member.ZeroBytes > 0
                        ? new MemoryStream(new byte[member.ZeroBytes])
                        : new MemoryStream(member.Bytes ?? Encoding.UTF8.GetBytes(member.Content ?? ""));
                }

                writer.WriteEntry(entry);
            }
        }

        return Gzip(tar.ToArray());
    }

    public static MemoryStream Gzip(byte[] data)
    {
        var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, data.Length > (1 << 20) ? CompressionLevel.SmallestSize : CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        stream.Position = 0;
        return stream;
    }

    public static byte[] Ungzip(Stream gz)
    {
        using var gzip = new GZipStream(gz, CompressionMode.Decompress, leaveOpen: true);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Rewrites the size of the first ustar header named <paramref name="name"/> (and its checksum).</summary>
    public static void PatchTarSize(byte[] tar, string name, long size)
    {
        for (var offset = 0; offset + 512 <= tar.Length; offset += 512)
        {
            var header = tar.AsSpan(offset, 512);
            var headerName = Encoding.ASCII.GetString(header[..100]).TrimEnd('\0');
            if (headerName != name || header[257] != (byte)'u')
            {
                continue;
            }

            Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header[124..136]);
            header[148..156].Fill((byte)' ');
            var sum = 0;
            foreach (var b in header)
            {
                sum += b;
            }

            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..156]);
            return;
        }

        throw new InvalidOperationException($"no header named {name}");
    }

    /// <summary>Rewrites the uncompressed size of a zip member in its local and central headers.</summary>
    public static void PatchZipUncompressedSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 3 && zip[i + 3] == 4
                && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size);
            }
            else if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2
                && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
            }
        }
    }

    /// <summary>Flips the CRC-32 of a zip member in its local header, its central directory record, or both.</summary>
    public static byte[] PatchZipCrc(byte[] zip, string name, bool local = true, bool central = true)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var found = false;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            if (local && zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 3 && zip[i + 3] == 4
                && BitConverter.ToUInt16(zip, i + 26) == nameBytes.Length && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                zip[i + 14] ^= 0x5A;
                found = true;
            }
            else if (central && zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2
                && BitConverter.ToUInt16(zip, i + 28) == nameBytes.Length && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                zip[i + 16] ^= 0x5A;
                found = true;
            }
        }

        return found ? zip : throw new InvalidOperationException($"no member named {name}");
    }

    /// <summary>A zip written to a stream that cannot seek: sizes and CRCs go in data descriptors after each member.</summary>
    public static MemoryStream ZipWithDataDescriptors(params (string Name, string Content)[] members)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(new WriteOnlyStream(stream), ZipArchiveMode.Create))
        {
            foreach (var (name, content) in members)
            {
                using var data = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                data.Write(Encoding.UTF8.GetBytes(content));
            }
        }

        stream.Position = 0;
        return stream;
    }

    private static void WriteZeros(Stream stream, long count)
    {
        var zeros = new byte[1 << 20];
        while (count > 0)
        {
            var n = (int)Math.Min(zeros.Length, count);
            stream.Write(zeros, 0, n);
            count -= n;
        }
    }
}

internal sealed record ZipMember(string Name, byte[] Content, int UnixMode = 0, long ZeroBytes = 0);

internal sealed record TarMember(
    string Name, string? Content = null, TarEntryType Type = TarEntryType.RegularFile, string? LinkName = null, long ZeroBytes = 0, byte[]? Bytes = null);

/// <summary>A stream of zeros that never holds them in memory.</summary>
internal sealed class ZeroStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        Array.Clear(buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Writes through without seeking, as to a pipe.</summary>
internal sealed class WriteOnlyStream(Stream inner) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        _written += count;
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Hides seeking, as a network stream would.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

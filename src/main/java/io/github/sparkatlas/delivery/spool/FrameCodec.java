package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The spool's frame format: magic, payload length and CRC-32, then the sequence number, creation time, flags,
 * addressing strings and the gzipped body. The checksum is what lets recovery tell a frame torn by a crash from
 * a whole one.
 */
final class FrameCodec {
  private static final int MAGIC = 0x53414131;
  private static final int HEADER = 12;
  private static final int FLAG_PLAN_TEXT = 1;
  /**
   * Added after the first release of the format: frames written before it have the bit clear, so they are read as
   * replacing nothing, and a reader that predates it ignores the bit and sends such a frame like any other.
   */
  private static final int FLAG_REPLACES_EARLIER = 2;

  private FrameCodec() {
  }

  static byte[] encode(long sequence, OutboundMessage notification) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream(256 + notification.body().length() / 4);
    DataOutputStream out = new DataOutputStream(payload);
    out.writeLong(sequence);
    out.writeLong(notification.createdAtMillis());
    out.writeByte((notification.hasPlanText() ? FLAG_PLAN_TEXT : 0)
        | (notification.replacesEarlier() ? FLAG_REPLACES_EARLIER : 0));
    writeString(out, notification.applicationId());
    writeString(out, notification.key());
    writeString(out, notification.user());
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
      gzip.write(notification.body().getBytes(StandardCharsets.UTF_8));
    }
    byte[] body = payload.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body, 0, body.length);
    ByteBuffer frame = ByteBuffer.allocate(HEADER + body.length);
    frame.putInt(MAGIC).putInt(body.length).putInt((int) crc.getValue()).put(body);
    return frame.array();
  }

  /**
   * The intact frames at the start of a file, within its first {@code limit} bytes; reading stops at the first torn
   * or corrupt one. A segment holds about 4 MB of frames (plus at most one larger message), so reading it whole is
   * cheap.
   */
  static List<Frame> readFrames(Path file, long limit) throws IOException {
    List<Frame> frames = new ArrayList<>();
    try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      long offset = 0;
      Frame frame;
      while (offset < limit && (frame = readFrame(data, limit - offset)) != null) {
        offset += frame.length;
        frames.add(frame);
      }
    }
    return frames;
  }

  /** The next frame, or null when the rest is not a whole, intact frame. */
  static Frame readFrame(DataInputStream in, long available) throws IOException {
    if (available < HEADER) {
      return null;
    }
    try {
      int magic = in.readInt();
      int length = in.readInt();
      int checksum = in.readInt();
      if (magic != MAGIC || length < 0 || length > available - HEADER) {
        return null;
      }
      byte[] payload = new byte[length];
      in.readFully(payload);
      CRC32 crc = new CRC32();
      crc.update(payload, 0, length);
      if ((int) crc.getValue() != checksum) {
        return null;
      }
      DataInputStream data = new DataInputStream(new ByteArrayInputStream(payload));
      long sequence = data.readLong();
      long createdAt = data.readLong();
      int flags = data.readByte();
      String applicationId = readString(data);
      String key = readString(data);
      String user = readString(data);
      byte[] body = new byte[data.available()];
      data.readFully(body);
      return new Frame(sequence, createdAt, (flags & FLAG_PLAN_TEXT) != 0, (flags & FLAG_REPLACES_EARLIER) != 0,
          applicationId, key, user, body, HEADER + length);
    } catch (EOFException e) {
      return null;
    }
  }

  static String gunzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new EOFException("bad string length");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's frames on disk: append-only segment files named after the sequence number of their first frame.
 * Only the newest segment is written to; a segment is deleted as a whole once every frame in it is delivered, so
 * nothing is ever rewritten in place except when plan text is shed.
 */
final class SegmentLog {
  static final String SEGMENT_SUFFIX = ".seg";
  private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);

  private final Path dir;
  private final long segmentBytes;
  /** Segments by the sequence number of their first frame. */
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private FileChannel active;
  /** Where the last read stopped, so reading on in order does not rescan a segment. */
  private long cursorSequence = -1;
  private long cursorSegment = -1;
  private long cursorOffset;

  /** One segment file and what the log knows about it without reading it again. */
  static final class Segment {
    final Path path;
    final long first;
    long last;
    long bytes;
    int planTexts;

    Segment(Path path, long first) {
      this.path = path;
      this.first = first;
      this.last = first - 1;
    }
  }

  SegmentLog(Path dir, long segmentBytes) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
  }

  /**
   * Learns the segments a spool has on disk, cutting off a torn tail, and deletes those already delivered.
   *
   * @param visitor shown every intact frame, in sequence order, while its body is still compressed
   * @return the sequence number of the last intact frame, or {@code acked} when there is none after it
   */
  long recover(long acked, Consumer<Frame> visitor) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
      for (Path child : children) {
        files.add(child);
      }
    }
    Collections.sort(files);
    long last = acked;
    for (Path file : files) {
      Segment segment = scan(file, visitor);
      if (segment == null) {
        continue;
      }
      segments.put(segment.first, segment);
      last = Math.max(last, segment.last);
    }
    deleteThrough(acked);
    return last;
  }

  /** Reads a segment's frames to learn its range; a torn or corrupt tail (a crash mid-write) is cut off. */
  private Segment scan(Path file, Consumer<Frame> visitor) throws IOException {
    long size = Files.size(file);
    Segment segment = null;
    long offset = 0;
    for (Frame frame : FrameCodec.readFrames(file, size)) {
      if (segment == null) {
        segment = new Segment(file, frame.sequence);
      }
      segment.last = frame.sequence;
      if (frame.hasPlanText) {
        segment.planTexts++;
      }
      offset += frame.length;
      visitor.accept(frame);
    }
    if (offset < size) {
      LOG.warn("spark-atlas-agent spool {}: cut {} bytes of an incomplete write (a crash while writing) at the "
          + "end of {}", dir, size - offset, file.getFileName());
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
        out.truncate(offset);
      }
    }
    if (segment == null) {
      Files.deleteIfExists(file);
      return null;
    }
    segment.bytes = offset;
    return segment;
  }

  /** Appends one encoded frame, starting a new segment when the current one is full. */
  void append(long sequence, byte[] frame, boolean hasPlanText) throws IOException {
    Segment segment = segments.isEmpty() ? null : segments.lastEntry().getValue();
    if (segment == null || active == null || segment.bytes + frame.length > segmentBytes && segment.bytes > 0) {
      segment = startSegment(sequence);
    }
    PrivateFiles.writeFully(active, frame);
    segment.last = sequence;
    segment.bytes += frame.length;
    if (hasPlanText) {
      segment.planTexts++;
    }
  }

  private Segment startSegment(long firstSequence) throws IOException {
    if (active != null) {
      active.close();
    }
    Path path = dir.resolve(String.format("%020d%s", firstSequence, SEGMENT_SUFFIX));
    active = PrivateFiles.openForAppend(path);
    Segment segment = new Segment(path, firstSequence);
    segment.bytes = active.size();
    segments.put(firstSequence, segment);
    return segment;
  }

  void sync() throws IOException {
    if (active != null) {
      active.force(false);
    }
  }

  /**
   * Up to {@code maxEntries} entries from sequence number {@code from} on, in order; those {@code superseded} names
   * come without their message (it is never decompressed) and do not count towards {@code maxTotalBytes}, and so do
   * the superseded ones whose frames were already removed to reclaim their room.
   */
  List<SpoolEntry> read(long from, int maxEntries, long maxTotalBytes, LongPredicate superseded)
      throws IOException {
    List<SpoolEntry> entries = new ArrayList<>();
    Map.Entry<Long, Segment> start = segments.floorEntry(from);
    if (start == null) {
      start = segments.firstEntry();
    }
    long total = 0;
    long expected = from;
    for (Segment segment : segments.tailMap(start.getKey(), true).values()) {
      long offset = cursorSequence == from && cursorSegment == segment.first ? cursorOffset : 0;
      try (FileChannel in = FileChannel.open(segment.path, StandardOpenOption.READ)) {
        in.position(offset);
        InputStream stream = Channels.newInputStream(in);
        DataInputStream data = new DataInputStream(new BufferedInputStream(stream, 64 * 1024));
        while (offset < segment.bytes) {
          Frame frame = FrameCodec.readFrame(data, segment.bytes - offset);
          if (frame == null) {
            break;
          }
          offset += frame.length;
          if (frame.sequence < from) {
            continue;
          }
          for (; expected < frame.sequence; expected++) {
            if (superseded.test(expected)) {
              entries.add(SpoolEntry.superseded(expected));
              if (entries.size() >= maxEntries) {
                cursorSequence = expected + 1;
                cursorSegment = segment.first;
                cursorOffset = offset - frame.length;
                return entries;
              }
            }
          }
          expected = frame.sequence + 1;
          if (superseded.test(frame.sequence)) {
            entries.add(SpoolEntry.superseded(frame.sequence));
          } else {
            entries.add(frame.entry());
            total += frame.length;
          }
          cursorSequence = frame.sequence + 1;
          cursorSegment = segment.first;
          cursorOffset = offset;
          if (entries.size() >= maxEntries || total >= maxTotalBytes) {
            return entries;
          }
        }
      }
    }
    return entries;
  }

  /** Deletes the segments whose frames are all delivered (up to and including {@code acked}). */
  void deleteThrough(long acked) throws IOException {
    Iterator<Segment> it = segments.values().iterator();
    while (it.hasNext()) {
      Segment segment = it.next();
      if (segment.last > acked) {
        break;
      }
      boolean isActive = !it.hasNext();
      if (isActive && active != null) {
        active.close();
        active = null;
      }
      Files.deleteIfExists(segment.path);
      it.remove();
    }
    cursorSequence = -1;
  }

  /**
   * Rewrites a segment without the plan text of its undelivered messages.
   *
   * @return how many plan texts were dropped
   */
  int shedPlanText(Segment segment, long acked) throws IOException {
    int[] shed = new int[1];
    rewrite(segment, acked, frame -> {
      OutboundMessage notification = frame.notification();
      if (notification.hasPlanText()) {
        shed[0]++;
        return notification.withoutPlanText();
      }
      return notification;
    });
    return shed[0];
  }

  /**
   * Rewrites a segment without the frames {@code superseded} names (a segment left with none is deleted): the
   * room of messages that will never be sent.
   *
   * @return how many frames were removed
   */
  int dropSuperseded(Segment segment, long acked, LongPredicate superseded) throws IOException {
    int[] dropped = new int[1];
    rewrite(segment, acked, frame -> {
      if (superseded.test(frame.sequence)) {
        dropped[0]++;
        return null;
      }
      return frame.notification();
    });
    return dropped[0];
  }

  /** How a rewrite changes one undelivered frame: the message to keep in its place, or null to remove it. */
  private interface FrameRewrite {
    OutboundMessage apply(Frame frame) throws IOException;
  }

  /** Replaces a segment by a copy of its undelivered frames, each as {@code change} says; in place, atomically. */
  private void rewrite(Segment segment, long acked, FrameRewrite change) throws IOException {
    boolean wasActive = active != null && segment == segments.lastEntry().getValue();
    if (wasActive) {
      active.close();
      active = null;
    }
    Path temp = segment.path.resolveSibling(segment.path.getFileName() + ".tmp");
    long bytes = 0;
    int planTexts = 0;
    boolean any = false;
    try (FileChannel out = PrivateFiles.openTruncated(temp)) {
      for (Frame frame : FrameCodec.readFrames(segment.path, segment.bytes)) {
        if (frame.sequence <= acked) {
          continue;
        }
        OutboundMessage notification = change.apply(frame);
        if (notification == null) {
          continue;
        }
        byte[] rewritten = FrameCodec.encode(frame.sequence, notification);
        PrivateFiles.writeFully(out, rewritten);
        bytes += rewritten.length;
        planTexts += notification.hasPlanText() ? 1 : 0;
        any = true;
      }
      out.force(false);
    }
    cursorSequence = -1;
    if (!any && !wasActive) {
      // Nothing of it is left to send; its first sequence number stays its key only while it exists.
      Files.deleteIfExists(temp);
      Files.deleteIfExists(segment.path);
      segments.remove(segment.first);
      return;
    }
    PrivateFiles.move(temp, segment.path);
    segment.bytes = bytes;
    // segment.last stays: the sequence numbers a segment covers do not change when frames leave it.
    segment.planTexts = planTexts;
    if (wasActive) {
      active = FileChannel.open(segment.path, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }
  }

  long sizeBytes() {
    long total = 0;
    for (Segment segment : segments.values()) {
      total += segment.bytes;
    }
    return total;
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  Segment oldest() {
    return segments.firstEntry().getValue();
  }

  /** The segments, oldest first, as a copy that stays valid while segments are rewritten or deleted. */
  Collection<Segment> snapshot() {
    return new ArrayList<>(segments.values());
  }

  void closeActive() throws IOException {
    if (active != null) {
      active.close();
      active = null;
    }
  }

  void deleteAll() throws IOException {
    for (Segment segment : segments.values()) {
      Files.deleteIfExists(segment.path);
    }
  }
}

package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The on-disk store of notifications Kafka has not acknowledged yet: one directory per application, owned by
 * that application's driver through a file lock ({@link SpoolLock}).
 *
 * <p>Frames ({@link FrameCodec}) are appended to segment files ({@link SegmentLog}); a frame torn by a crash is cut
 * off when the spool is opened again. The acknowledged position is a separate small file replaced atomically, so
 * a crash can at worst send a message twice, which Atlas treats as an update of the same entities, and never
 * loses one. Files are readable by the owner only ({@link PrivateFiles}). The total size is bounded
 * ({@link SpoolQuota}).
 *
 * <p>A waiting message whose state a newer message of the same key holds whole is superseded ({@link Supersession}):
 * it keeps its place in the order but is acknowledged without being sent, and its room is the first reclaimed when
 * the spool is full. What is superseded is learnt again from the frames when a spool is opened after a crash.
 */
public final class Spool implements Closeable {
  static final String SEGMENT_SUFFIX = SegmentLog.SEGMENT_SUFFIX;
  static final String REJECTED_FILE = "rejected.dead";
  static final String ACKED_FILE = "acked";
  static final String LOCK_FILE = "lock";
  static final String DESTINATION_FILE = "destination";
  private static final long MAX_SEGMENT_BYTES = 4L * 1024 * 1024;

  private final Path dir;
  private final SpoolLock lock;
  private final SegmentLog log;
  private final SpoolQuota quota;
  private final DeadLetters deadLetters;
  private final Supersession supersession = new Supersession();
  private long acked;
  /** Superseded entries acknowledged without being sent, since this spool was opened. */
  private long supersededAcked;
  private long nextSequence;
  private long rejected;
  private boolean closed;

  private Spool(Path dir, long maxBytes, SpoolLock lock) {
    this.dir = dir;
    this.lock = lock;
    this.log = new SegmentLog(dir, Math.max(64 * 1024, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8)));
    this.quota = new SpoolQuota(dir, maxBytes);
    this.deadLetters = new DeadLetters(dir);
  }

  /** Thrown when another live process (or this one) holds the spool. */
  public static final class InUseException extends IOException {
    private static final long serialVersionUID = 1L;

    InUseException(Path dir) {
      super("spool " + dir + " is in use by a running application");
    }
  }

  /**
   * Creates a fresh spool directory under {@code base} for this application.
   *
   * @param destination where its messages are meant to go (bootstrap servers and topic), so that only an
   *                    application sending to the same place adopts them
   */
  public static Spool create(Path base, String destination, long maxBytes) throws IOException {
    PrivateFiles.createPrivateDirectories(base);
    String stamp = new SimpleDateFormat("yyyyMMdd-HHmmss-SSS").format(new Date());
    Path dir = base.resolve(stamp + "-" + UUID.randomUUID().toString().substring(0, 8));
    PrivateFiles.createPrivateDirectories(dir);
    PrivateFiles.writeAtomically(dir.resolve(DESTINATION_FILE), destination.getBytes(StandardCharsets.UTF_8));
    return open(dir, maxBytes);
  }

  /** Opens an existing spool directory, recovering it after a crash; fails if a live process holds it. */
  public static Spool open(Path dir, long maxBytes) throws IOException {
    SpoolLock lock = SpoolLock.acquire(dir);
    Spool spool = new Spool(dir, maxBytes, lock);
    try {
      spool.recover();
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e;
    }
    return spool;
  }

  /** Spool directories under {@code base}, oldest first (their names start with their creation time). */
  public static List<Path> directories(Path base) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(base)) {
      return dirs;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(base)) {
      for (Path child : children) {
        if (isSpool(child)) {
          dirs.add(child);
        }
      }
    }
    Collections.sort(dirs);
    return dirs;
  }

  /** Whether {@code dir} is one spool (rather than a folder of spools). */
  public static boolean isSpool(Path dir) {
    return Files.isRegularFile(dir.resolve(LOCK_FILE));
  }

  /** The destination a spool was created for, or "" when unknown. */
  public static String destinationOf(Path dir) {
    try {
      return new String(Files.readAllBytes(dir.resolve(DESTINATION_FILE)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public Path directory() {
    return dir;
  }

  /**
   * Appends a notification; returns its sequence number, or -1 when it alone is larger than the whole spool
   * even without plan text (then it is dropped, counted and reported).
   */
  public synchronized long append(OutboundMessage notification) throws IOException {
    checkOpen();
    long sequence = nextSequence;
    SpoolQuota.Fitted fitted = quota.fit(sequence, notification);
    if (fitted == null) {
      return -1;
    }
    quota.makeRoom(fitted.frame.length, log, this);
    log.append(sequence, fitted.frame, fitted.notification.hasPlanText());
    nextSequence++;
    // Only now that the newer frame is written may the older one be left unsent.
    supersession.record(sequence, notification.key(), notification.replacesEarlier(), acked);
    return sequence;
  }

  /** Makes what was appended survive a machine crash too; called when the agent has nothing else to do. */
  public synchronized void sync() throws IOException {
    if (!closed) {
      log.sync();
    }
  }

  /**
   * Up to {@code maxEntries} entries after {@code afterSequence} (and after the acknowledged position), in order;
   * superseded ones ({@link SpoolEntry#superseded()}) come without their message and do not count towards
   * {@code maxTotalBytes}.
   */
  public synchronized List<SpoolEntry> read(long afterSequence, int maxEntries, long maxTotalBytes)
      throws IOException {
    checkOpen();
    long from = Math.max(afterSequence, acked) + 1;
    if (from >= nextSequence) {
      return new ArrayList<>();
    }
    return log.read(from, maxEntries, maxTotalBytes, supersession::isSuperseded);
  }

  /**
   * Marks everything up to {@code sequence} as delivered, {@code superseded} of them by acknowledging them unsent;
   * counted here, with the position, so that {@link #superseded()} never sees one twice or not at all.
   */
  public synchronized void ack(long sequence, int superseded) throws IOException {
    long before = acked;
    ack(sequence);
    if (acked > before) {
      supersededAcked += superseded;
    }
  }

  /** Marks everything up to {@code sequence} as delivered; segments wholly delivered are deleted. */
  public synchronized void ack(long sequence) throws IOException {
    checkOpen();
    if (sequence <= acked) {
      return;
    }
    acked = Math.min(sequence, nextSequence - 1);
    PrivateFiles.writeAtomically(dir.resolve(ACKED_FILE), Long.toString(acked).getBytes(StandardCharsets.US_ASCII));
    log.deleteThrough(acked);
    supersession.forgetThrough(acked);
  }

  /**
   * Moves an entry Kafka will never accept as it is (larger than the broker allows) out of the way, into a
   * dead-letter file of this spool that the replay command sends once the configuration is fixed.
   */
  public synchronized void reject(SpoolEntry entry) throws IOException {
    checkOpen();
    deadLetters.append(FrameCodec.encode(entry.sequence(), entry.notification()));
    rejected++;
    ack(entry.sequence());
  }

  /** Entries of the dead-letter file; the replay command sends them and then calls {@link #clearRejected()}. */
  public synchronized List<SpoolEntry> rejectedEntries() throws IOException {
    return deadLetters.entries();
  }

  public synchronized void clearRejected() throws IOException {
    deadLetters.clear();
  }

  /** How many messages the dead-letter file holds. */
  synchronized int rejectedCount() throws IOException {
    return deadLetters.count();
  }

  /**
   * Deletes the spool with everything in it, undelivered messages and dead letters included, and releases it;
   * for the retention limits, which the caller logs.
   */
  synchronized void discard() throws IOException {
    checkOpen();
    deadLetters.clear();
    acked = nextSequence - 1;
    close();
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      // Temporary files of an interrupted atomic write are all that can be left.
      try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir, "*.tmp")) {
        for (Path file : rest) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Sequence number of the last appended entry (0 before the first). */
  public synchronized long lastAppended() {
    return nextSequence - 1;
  }

  public synchronized long acked() {
    return acked;
  }

  /** Entries not acknowledged yet that are still to be sent (superseded ones are not). */
  public synchronized long pending() {
    return nextSequence - 1 - acked - supersededPending();
  }

  /** Entries not acknowledged yet that will not be sent: a newer entry of the same key holds them. */
  public synchronized long supersededPending() {
    return supersession.countBetween(acked, nextSequence - 1);
  }

  /** Superseded entries: acknowledged unsent since the spool was opened, and waiting to be. */
  public synchronized long superseded() {
    return supersededAcked + supersededPending();
  }

  /** Superseded entries after {@code after} through {@code through}: not messages lost when they are dropped. */
  synchronized long supersededBetween(long after, long through) {
    return supersession.countBetween(after, through);
  }

  /** Removes the superseded frames of one segment from the disk; they keep their place in the order. */
  synchronized int reclaimSuperseded(SegmentLog.Segment segment) throws IOException {
    return log.dropSuperseded(segment, acked, supersession::isSuperseded);
  }

  public synchronized long sizeBytes() {
    return log.sizeBytes();
  }

  public synchronized long droppedMessages() {
    return quota.droppedMessages();
  }

  public synchronized long droppedPlanTexts() {
    return quota.droppedPlanTexts();
  }

  public synchronized long rejected() {
    return rejected;
  }

  /**
   * Closes the spool and releases it; a spool with nothing left in it is deleted, so only spools that still
   * hold messages remain for a later application or the replay command.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      log.closeActive();
      if (nextSequence - 1 <= acked && !deadLetters.exist()) {
        log.deleteAll();
        Files.deleteIfExists(dir.resolve(ACKED_FILE));
        Files.deleteIfExists(dir.resolve(DESTINATION_FILE));
        Files.deleteIfExists(dir.resolve(LOCK_FILE));
        lock.release();
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // Something else was put there; leaving the directory is harmless.
        }
      }
    } finally {
      lock.release();
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("spool " + dir + " is closed");
    }
  }

  private void recover() throws IOException {
    Path ackedFile = dir.resolve(ACKED_FILE);
    if (Files.isRegularFile(ackedFile)) {
      String text = new String(Files.readAllBytes(ackedFile), StandardCharsets.US_ASCII).trim();
      try {
        acked = Long.parseLong(text);
      } catch (NumberFormatException e) {
        // Written atomically, so this is someone else's file; sending a few messages twice is harmless.
        acked = 0;
      }
    }
    long[] expected = {acked + 1};
    nextSequence = log.recover(acked, frame -> {
      if (frame.sequence < expected[0]) {
        return;
      }
      // Only superseded frames are ever taken out of the middle of a spool, so a gap in the numbers is one of them
      // (or a frame the disk lost, which cannot be sent either).
      for (long missing = expected[0]; missing < frame.sequence; missing++) {
        supersession.markMissing(missing);
      }
      supersession.record(frame.sequence, frame.key, frame.replacesEarlier, acked);
      expected[0] = frame.sequence + 1;
    }) + 1;
  }
}

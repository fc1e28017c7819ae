package io.github.sparkatlas.delivery;

import io.github.sparkatlas.message.OutboundMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk store of notifications Kafka has not acknowledged yet: one directory per application, owned by
 * that application's driver through a file lock (released by the OS even when the driver is killed, which is how
 * a later application knows the spool is an orphan it may send).
 *
 * <p>Append-only segment files of checksummed frames; a frame torn by a crash is cut off when the spool is opened
 * again. The acknowledged position is a separate small file replaced atomically, so a crash can at worst send a
 * message twice, which Atlas treats as an update of the same entities, and never loses one. Files are readable by
 * the owner only. The total size is bounded: when full the spool first sheds plan text, oldest first, and only
 * then drops whole messages, oldest first, and says so at ERROR either way.
 */
public final class Spool implements Closeable {
  static final String SEGMENT_SUFFIX = ".seg";
  static final String REJECTED_FILE = "rejected.dead";
  static final String ACKED_FILE = "acked";
  static final String LOCK_FILE = "lock";
  static final String DESTINATION_FILE = "destination";
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final int MAGIC = 0x53414131;
  private static final int FRAME_HEADER = 12;
  private static final int FLAG_PLAN_TEXT = 1;
  private static final long MAX_SEGMENT_BYTES = 4L * 1024 * 1024;
  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  /** Segments by the sequence number of their first frame. */
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private FileChannel active;
  private long acked;
  private long nextSequence;
  private long droppedMessages;
  private long droppedPlanTexts;
  private long rejected;
  private boolean fullReported;
  private boolean dropReported;
  /** Where the last read stopped, so reading on in order does not rescan a segment. */
  private long cursorSequence = -1;
  private long cursorSegment = -1;
  private long cursorOffset;
  private boolean closed;

  private static final class Segment {
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

  private Spool(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(64 * 1024, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
    this.lockChannel = lockChannel;
    this.lock = lock;
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
    createPrivateDirectories(base);
    String stamp = new SimpleDateFormat("yyyyMMdd-HHmmss-SSS").format(new Date());
    Path dir = base.resolve(stamp + "-" + UUID.randomUUID().toString().substring(0, 8));
    createPrivateDirectories(dir);
    writeAtomically(dir.resolve(DESTINATION_FILE), destination.getBytes(StandardCharsets.UTF_8));
    return open(dir, maxBytes);
  }

  /** Opens an existing spool directory, recovering it after a crash; fails if a live process holds it. */
  public static Spool open(Path dir, long maxBytes) throws IOException {
    FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE),
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), privateFile());
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new InUseException(dir);
    }
    Spool spool = new Spool(dir, maxBytes, lockChannel, lock);
    try {
      spool.recover();
    } catch (IOException | RuntimeException e) {
      spool.releaseLock();
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
    byte[] frame = frame(sequence, notification);
    if (frame.length > maxBytes && notification.hasPlanText()) {
      droppedPlanTexts++;
      notification = notification.withoutPlanText();
      frame = frame(sequence, notification);
    }
    if (frame.length > maxBytes) {
      droppedMessages++;
      LOG.error("spark-atlas-agent dropped a lineage message of {} bytes: larger than the whole spool "
          + "(atlas.spark.spool.max.bytes={}); raise atlas.spark.spool.max.bytes", frame.length, maxBytes);
      return -1;
    }
    makeRoom(frame.length);
    Segment segment = segments.isEmpty() ? null : segments.lastEntry().getValue();
    if (segment == null || active == null || segment.bytes + frame.length > segmentBytes && segment.bytes > 0) {
      segment = startSegment(sequence);
    }
    writeFully(active, frame);
    segment.last = sequence;
    segment.bytes += frame.length;
    if (notification.hasPlanText()) {
      segment.planTexts++;
    }
    nextSequence++;
    return sequence;
  }

  /** Makes what was appended survive a machine crash too; called when the agent has nothing else to do. */
  public synchronized void sync() throws IOException {
    if (active != null && !closed) {
      active.force(false);
    }
  }

  /** Up to {@code maxEntries} entries after {@code afterSequence} (and after the acknowledged position), in order. */
  public synchronized List<SpoolEntry> read(long afterSequence, int maxEntries, long maxTotalBytes)
      throws IOException {
    checkOpen();
    long from = Math.max(afterSequence, acked) + 1;
    List<SpoolEntry> entries = new ArrayList<>();
    if (from >= nextSequence) {
      return entries;
    }
    Map.Entry<Long, Segment> start = segments.floorEntry(from);
    if (start == null) {
      start = segments.firstEntry();
    }
    long total = 0;
    for (Segment segment : segments.tailMap(start.getKey(), true).values()) {
      long offset = cursorSequence == from && cursorSegment == segment.first ? cursorOffset : 0;
      try (FileChannel in = FileChannel.open(segment.path, StandardOpenOption.READ)) {
        in.position(offset);
        InputStream stream = java.nio.channels.Channels.newInputStream(in);
        DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(stream, 64 * 1024));
        while (offset < segment.bytes) {
          Frame frame = readFrame(data, segment.bytes - offset);
          if (frame == null) {
            break;
          }
          offset += frame.length;
          if (frame.sequence < from) {
            continue;
          }
          entries.add(new SpoolEntry(frame.sequence, frame.notification()));
          total += frame.length;
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

  /** Marks everything up to {@code sequence} as delivered; segments wholly delivered are deleted. */
  public synchronized void ack(long sequence) throws IOException {
    checkOpen();
    if (sequence <= acked) {
      return;
    }
    acked = Math.min(sequence, nextSequence - 1);
    writeAtomically(dir.resolve(ACKED_FILE), Long.toString(acked).getBytes(StandardCharsets.US_ASCII));
    deleteDeliveredSegments();
  }

  /**
   * Moves an entry Kafka will never accept as it is (larger than the broker allows) out of the way, into a
   * dead-letter file of this spool that the replay command sends once the configuration is fixed.
   */
  public synchronized void reject(SpoolEntry entry) throws IOException {
    checkOpen();
    byte[] frame = frame(entry.sequence(), entry.notification());
    try (FileChannel out = FileChannel.open(dir.resolve(REJECTED_FILE), EnumSet.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND), privateFile())) {
      writeFully(out, frame);
      out.force(false);
    }
    rejected++;
    ack(entry.sequence());
  }

  /** Entries of the dead-letter file; the replay command sends them and then calls {@link #clearRejected()}. */
  public synchronized List<SpoolEntry> rejectedEntries() throws IOException {
    List<SpoolEntry> entries = new ArrayList<>();
    Path file = dir.resolve(REJECTED_FILE);
    if (!Files.isRegularFile(file)) {
      return entries;
    }
    for (Frame frame : readFrames(file, Files.size(file))) {
      entries.add(new SpoolEntry(frame.sequence, frame.notification()));
    }
    return entries;
  }

  public synchronized void clearRejected() throws IOException {
    Files.deleteIfExists(dir.resolve(REJECTED_FILE));
  }

  /** Sequence number of the last appended entry (0 before the first). */
  public synchronized long lastAppended() {
    return nextSequence - 1;
  }

  public synchronized long acked() {
    return acked;
  }

  /** Entries not acknowledged yet. */
  public synchronized long pending() {
    return nextSequence - 1 - acked;
  }

  public synchronized long sizeBytes() {
    long total = 0;
    for (Segment segment : segments.values()) {
      total += segment.bytes;
    }
    return total;
  }

  public synchronized long droppedMessages() {
    return droppedMessages;
  }

  public synchronized long droppedPlanTexts() {
    return droppedPlanTexts;
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
      if (active != null) {
        active.close();
        active = null;
      }
      if (nextSequence - 1 <= acked && !Files.exists(dir.resolve(REJECTED_FILE))) {
        for (Segment segment : segments.values()) {
          Files.deleteIfExists(segment.path);
        }
        Files.deleteIfExists(dir.resolve(ACKED_FILE));
        Files.deleteIfExists(dir.resolve(DESTINATION_FILE));
        Files.deleteIfExists(dir.resolve(LOCK_FILE));
        releaseLock();
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // Something else was put there; leaving the directory is harmless.
        }
        return;
      }
    } finally {
      releaseLock();
    }
  }

  private void releaseLock() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      lockChannel.close();
    } catch (IOException e) {
      // The lock goes with the process at the latest.
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
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
      for (Path child : children) {
        files.add(child);
      }
    }
    Collections.sort(files);
    long last = acked;
    for (Path file : files) {
      Segment segment = scan(file);
      if (segment == null) {
        continue;
      }
      segments.put(segment.first, segment);
      last = Math.max(last, segment.last);
    }
    nextSequence = last + 1;
    deleteDeliveredSegments();
  }

  /** Reads a segment's frames to learn its range; a torn or corrupt tail (a crash mid-write) is cut off. */
  private Segment scan(Path file) throws IOException {
    long size = Files.size(file);
    Segment segment = null;
    long offset = 0;
    for (Frame frame : readFrames(file, size)) {
      if (segment == null) {
        segment = new Segment(file, frame.sequence);
      }
      segment.last = frame.sequence;
      if (frame.hasPlanText) {
        segment.planTexts++;
      }
      offset += frame.length;
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

  private Segment startSegment(long firstSequence) throws IOException {
    if (active != null) {
      active.close();
    }
    Path path = dir.resolve(String.format("%020d%s", firstSequence, SEGMENT_SUFFIX));
    active = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND), privateFile());
    Segment segment = new Segment(path, firstSequence);
    segment.bytes = active.size();
    segments.put(firstSequence, segment);
    return segment;
  }

  private void deleteDeliveredSegments() throws IOException {
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

  /** Frees room for {@code needed} bytes: plan text first, oldest first; whole messages only when that is not enough. */
  private void makeRoom(long needed) throws IOException {
    if (sizeBytes() + needed <= maxBytes) {
      return;
    }
    long shedBefore = droppedPlanTexts;
    for (Segment segment : new ArrayList<>(segments.values())) {
      if (sizeBytes() + needed <= maxBytes) {
        break;
      }
      if (segment.planTexts > 0) {
        shedPlanText(segment);
      }
    }
    if (droppedPlanTexts > shedBefore && !fullReported) {
      fullReported = true;
      LOG.error("spark-atlas-agent spool {} is full (atlas.spark.spool.max.bytes={}): Kafka has not acknowledged "
          + "{} messages; plan text of the oldest ones is dropped to make room (reported once, counted in the "
          + "summary)", dir, maxBytes, pending());
    }
    long droppedBefore = droppedMessages;
    while (sizeBytes() + needed > maxBytes && !segments.isEmpty()) {
      Segment oldest = segments.firstEntry().getValue();
      droppedMessages += oldest.last - Math.max(acked, oldest.first - 1);
      ack(oldest.last);
    }
    if (droppedMessages > droppedBefore && !dropReported) {
      dropReported = true;
      LOG.error("spark-atlas-agent spool {} is full (atlas.spark.spool.max.bytes={}) even without plan text: the "
          + "oldest undelivered lineage messages are dropped (reported once, counted in the summary); make Kafka "
          + "reachable or raise atlas.spark.spool.max.bytes", dir, maxBytes);
    }
  }

  private void shedPlanText(Segment segment) throws IOException {
    boolean wasActive = active != null && segment == segments.lastEntry().getValue();
    if (wasActive) {
      active.close();
      active = null;
    }
    Path temp = segment.path.resolveSibling(segment.path.getFileName() + ".tmp");
    long bytes = 0;
    try (FileChannel out = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), privateFile())) {
      for (Frame frame : readFrames(segment.path, segment.bytes)) {
        if (frame.sequence <= acked) {
          continue;
        }
        OutboundMessage notification = frame.notification();
        if (notification.hasPlanText()) {
          notification = notification.withoutPlanText();
          droppedPlanTexts++;
        }
        byte[] rewritten = frame(frame.sequence, notification);
        writeFully(out, rewritten);
        bytes += rewritten.length;
      }
      out.force(false);
    }
    move(temp, segment.path);
    segment.bytes = bytes;
    segment.planTexts = 0;
    cursorSequence = -1;
    if (wasActive) {
      active = FileChannel.open(segment.path, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }
  }

  private static final class Frame {
    final long sequence;
    final long createdAt;
    final boolean hasPlanText;
    final String applicationId;
    final String key;
    final String user;
    final byte[] gzipBody;
    final int length;

    Frame(long sequence, long createdAt, boolean hasPlanText, String applicationId, String key, String user,
        byte[] gzipBody, int length) {
      this.sequence = sequence;
      this.createdAt = createdAt;
      this.hasPlanText = hasPlanText;
      this.applicationId = applicationId;
      this.key = key;
      this.user = user;
      this.gzipBody = gzipBody;
      this.length = length;
    }

    OutboundMessage notification() throws IOException {
      return new OutboundMessage(applicationId, key, user, createdAt, gunzip(gzipBody), hasPlanText);
    }
  }

  static byte[] frame(long sequence, OutboundMessage notification) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream(256 + notification.body().length() / 4);
    DataOutputStream out = new DataOutputStream(payload);
    out.writeLong(sequence);
    out.writeLong(notification.createdAtMillis());
    out.writeByte(notification.hasPlanText() ? FLAG_PLAN_TEXT : 0);
    writeString(out, notification.applicationId());
    writeString(out, notification.key());
    writeString(out, notification.user());
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
      gzip.write(notification.body().getBytes(StandardCharsets.UTF_8));
    }
    byte[] body = payload.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body, 0, body.length);
    ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + body.length);
    frame.putInt(MAGIC).putInt(body.length).putInt((int) crc.getValue()).put(body);
    return frame.array();
  }

  /**
   * The intact frames at the start of a file, within its first {@code limit} bytes; reading stops at the first torn
   * or corrupt one. A segment holds about 4 MB of frames (plus at most one larger message), so reading it whole is
   * cheap.
   */
  private static List<Frame> readFrames(Path file, long limit) throws IOException {
    List<Frame> frames = new ArrayList<>();
    try (DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
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
  private static Frame readFrame(DataInputStream in, long available) throws IOException {
    if (available < FRAME_HEADER) {
      return null;
    }
    try {
      int magic = in.readInt();
      int length = in.readInt();
      int checksum = in.readInt();
      if (magic != MAGIC || length < 0 || length > available - FRAME_HEADER) {
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
      return new Frame(sequence, createdAt, (flags & FLAG_PLAN_TEXT) != 0, applicationId, key, user, body, FRAME_HEADER + length);
    } catch (EOFException e) {
      return null;
    }
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

  private static String gunzip(byte[] bytes) throws IOException {
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

  private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), privateFile())) {
      writeFully(out, content);
      out.force(false);
    }
    move(temp, target);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Lineage can name private tables and paths: only the driver's own user may read the spool. */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    try {
      if (POSIX) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // Another application created it at the same moment.
    }
  }

  private static FileAttribute<?>[] privateFile() {
    if (!POSIX) {
      return new FileAttribute<?>[0];
    }
    Set<java.nio.file.attribute.PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(ownerOnly)};
  }
}

package io.github.sparkatlas.delivery.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.TestNotifications;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  private static final String DESTINATION = KafkaSink.destination("broker-1:9092,broker-2:9092", "ATLAS_HOOK");
  /** The smallest size the tests use: segments are then 64 KiB, so a few messages fill one. */
  private static final long SMALL = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path base;

  // ------------------------------------------------------------------------------------------ helpers

  private Spool create(long maxBytes) throws IOException {
    return Spool.create(base, DESTINATION, maxBytes);
  }

  /** A real notification whose plan text makes its frame about {@code planChars} bytes (gzip cannot shrink it). */
  private static OutboundMessage withPlan(int n, int planChars) {
    return TestNotifications.of(n, TestNotifications.incompressiblePlan(planChars, n));
  }

  private static List<OutboundMessage> appendAll(Spool spool, List<OutboundMessage> notifications) throws IOException {
    for (OutboundMessage notification : notifications) {
      assertTrue(spool.append(notification) > 0, "appended");
    }
    return notifications;
  }

  private static List<SpoolEntry> readAll(Spool spool) throws IOException {
    return spool.read(0, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(Spool.SEGMENT_SUFFIX)).sorted()
          .collect(Collectors.toList());
    }
  }

  private static long firstSequenceOf(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - Spool.SEGMENT_SUFFIX.length()));
  }

  private static void assertSameNotification(OutboundMessage expected, OutboundMessage actual, String what) {
    assertEquals(expected.applicationId(), actual.applicationId(), what + ": application");
    assertEquals(expected.key(), actual.key(), what + ": key");
    assertEquals(expected.user(), actual.user(), what + ": user");
    assertEquals(expected.createdAtMillis(), actual.createdAtMillis(), what + ": created");
    assertEquals(expected.hasPlanText(), actual.hasPlanText(), what + ": has plan text");
    assertEquals(expected.body(), actual.body(), what + ": body");
  }

  /** The entries are exactly {@code expected}, in order, numbered from {@code firstSequence} without a gap. */
  private static void assertEntries(List<OutboundMessage> expected, long firstSequence, List<SpoolEntry> entries) {
    assertEquals(expected.size(), entries.size(), "entries");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(firstSequence + i, entries.get(i).sequence(), "sequence of entry " + i);
      assertSameNotification(expected.get(i), entries.get(i).notification(), "entry " + i);
    }
  }

  private static JsonNode sparkProcess(OutboundMessage notification) throws IOException {
    for (JsonNode entity : JSON.readTree(notification.body()).path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        return entity.path("attributes");
      }
    }
    throw new AssertionError("no spark_process in " + notification.body());
  }

  // ------------------------------------------------------------------------------------------ order, ack, reopen

  @Test
  void entriesAreReadBackInAppendOrderAcrossSeveralSegments() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 24; n++) {
      appended.add(withPlan(n, 12_000));
    }
    try (Spool spool = create(2 * SMALL)) {
      assertEquals(0, spool.lastAppended());
      appendAll(spool, appended);

      assertTrue(segments(spool.directory()).size() >= 3, "segments rolled: " + segments(spool.directory()));
      assertEquals(24, spool.lastAppended());
      assertEquals(24, spool.pending());
      assertEntries(appended, 1, readAll(spool));
      // reading on from where the last read stopped, in small batches, gives the same order
      List<SpoolEntry> inBatches = new ArrayList<>();
      long position = 0;
      List<SpoolEntry> batch;
      while (!(batch = spool.read(position, 5, Long.MAX_VALUE)).isEmpty()) {
        assertTrue(batch.size() <= 5);
        inBatches.addAll(batch);
        position = batch.get(batch.size() - 1).sequence();
      }
      assertEntries(appended, 1, inBatches);
      assertEquals(1, spool.read(0, 100, 1).size(), "a byte limit still returns one entry");
    }
  }

  @Test
  void ackDeletesOnlySegmentsWhoseEntriesAreAllDelivered() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 24; n++) {
      appended.add(withPlan(n, 12_000));
    }
    try (Spool spool = create(2 * SMALL)) {
      appendAll(spool, appended);
      List<Path> before = segments(spool.directory());
      long secondStarts = firstSequenceOf(before.get(1));
      long thirdStarts = firstSequenceOf(before.get(2));

      spool.ack(secondStarts - 1);
      assertEquals(before.subList(1, before.size()), segments(spool.directory()), "first segment deleted");
      spool.ack(thirdStarts - 2);
      assertEquals(before.subList(1, before.size()), segments(spool.directory()),
          "a segment with one entry left is kept");
      assertEquals(thirdStarts - 2, spool.acked());
      assertEquals(24 - (thirdStarts - 2), spool.pending());
      assertEntries(appended.subList((int) thirdStarts - 2, 24), thirdStarts - 1, readAll(spool));

      spool.ack(thirdStarts - 3);
      assertEquals(thirdStarts - 2, spool.acked(), "an older ack does not move the position back");
    }
  }

  @Test
  void pendingEntriesSurviveCloseAndReopenInTheSameOrder() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 10; n++) {
      appended.add(withPlan(n, 2_000));
    }
    Path dir;
    try (Spool spool = create(SMALL)) {
      dir = spool.directory();
      appendAll(spool, appended);
      spool.ack(4);
    }
    assertTrue(Files.isDirectory(dir), "a spool with pending entries is kept");

    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(4, reopened.acked());
      assertEquals(6, reopened.pending());
      assertEquals(10, reopened.lastAppended());
      assertEntries(appended.subList(4, 10), 5, readAll(reopened));
      assertEquals(11, reopened.append(withPlan(11, 2_000)), "numbering goes on after the last entry");
    }
  }

  @Test
  void tornLastFrameIsCutOnReopenAndTheEntriesBeforeItSurvive() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      appended.add(withPlan(n, 3_000));
    }
    Path dir;
    try (Spool spool = create(SMALL)) {
      dir = spool.directory();
      appendAll(spool, appended);
    }
    Path last = segments(dir).get(segments(dir).size() - 1);
    long lastFrame = FrameCodec.encode(5, appended.get(4)).length;
    long intactSize = Files.size(last) - lastFrame;
    try (FileChannel file = FileChannel.open(last, StandardOpenOption.WRITE)) {
      file.truncate(Files.size(last) - 7);
    }

    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(4, reopened.lastAppended());
      assertEquals(intactSize, Files.size(last), "the torn frame is cut off the file");
      assertEntries(appended.subList(0, 4), 1, readAll(reopened));
      OutboundMessage again = withPlan(5, 3_000);
      assertEquals(5, reopened.append(again), "the lost entry's number is used again");
      assertEntries(List.of(appended.get(0), appended.get(1), appended.get(2), appended.get(3), again), 1,
          readAll(reopened));
    }
  }

  @Test
  void garbageAfterTheLastFrameIsCutOnReopenAndEveryEntrySurvives() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      appended.add(withPlan(n, 3_000));
    }
    Path dir;
    try (Spool spool = create(SMALL)) {
      dir = spool.directory();
      appendAll(spool, appended);
    }
    Path last = segments(dir).get(segments(dir).size() - 1);
    long size = Files.size(last);
    byte[] garbage = new byte[100];
    new Random(1).nextBytes(garbage);
    // the start of a real frame, as a crash in the middle of writing it leaves it
    byte[] partial = FrameCodec.encode(6, withPlan(6, 3_000));
    try (FileChannel file = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      file.write(ByteBuffer.wrap(partial, 0, 40));
    }

    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(size, Files.size(last));
      assertEntries(appended, 1, readAll(reopened));
    }
    try (FileChannel file = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      file.write(ByteBuffer.wrap(garbage));
    }
    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(size, Files.size(last));
      assertEntries(appended, 1, readAll(reopened));
    }
  }

  // ------------------------------------------------------------------------------------------ ownership

  @Test
  void aSpoolHeldOpenCannotBeOpenedAgainUntilItIsClosed() throws IOException {
    Spool spool = create(SMALL);
    Path dir = spool.directory();
    spool.append(withPlan(1, 100));

    assertThrows(Spool.InUseException.class, () -> Spool.open(dir, SMALL));
    assertThrows(Spool.InUseException.class, () -> Spool.open(dir, SMALL), "still refused after a refusal");
    spool.close();

    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(1, reopened.pending());
    }
  }

  @Test
  void closeDeletesAFullyDeliveredSpoolAndKeepsOneWithPendingEntries() throws IOException {
    Spool delivered = create(SMALL);
    delivered.append(withPlan(1, 100));
    delivered.append(withPlan(2, 100));
    delivered.ack(2);
    delivered.close();
    assertFalse(Files.exists(delivered.directory()), "fully delivered spool deleted");

    Spool empty = create(SMALL);
    empty.close();
    assertFalse(Files.exists(empty.directory()), "a spool that never held anything is deleted");

    Spool pending = create(SMALL);
    pending.append(withPlan(1, 100));
    pending.append(withPlan(2, 100));
    pending.ack(1);
    pending.close();
    assertTrue(Files.isDirectory(pending.directory()));
    assertEquals(1, segments(pending.directory()).size());
    assertEquals(List.of(pending.directory()), Spool.directories(base));
  }

  @Test
  void spoolDirectoryAndEveryFileInItAreReadableByTheOwnerOnly() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX file permissions");
    Path spoolBase = base.resolve("spool-base");
    Spool spool = Spool.create(spoolBase, DESTINATION, SMALL);
    for (int n = 1; n <= 8; n++) {
      spool.append(withPlan(n, 20_000));
    }
    List<SpoolEntry> entries = readAll(spool);
    spool.reject(entries.get(0));
    spool.ack(2);
    Path dir = spool.directory();

    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolBase)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.collect(Collectors.toList())) {
        names.add(file.getFileName().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
            file.getFileName().toString());
      }
    }
    assertTrue(names.containsAll(List.of(Spool.LOCK_FILE, Spool.DESTINATION_FILE, Spool.ACKED_FILE,
        Spool.REJECTED_FILE)), "files: " + names);
    assertTrue(names.stream().filter(n -> n.endsWith(Spool.SEGMENT_SUFFIX)).count() >= 2, "files: " + names);
    spool.close();
  }

  // ------------------------------------------------------------------------------------------ full

  @Test
  void fullSpoolShedsPlanTextOfTheOldestFirstAndOnlyThenDropsTheOldestMessages() throws IOException {
    // each message: ~15 KB of paths that must stay plus ~15 KB of plan text that may go
    List<OutboundMessage> appended = new ArrayList<>();
    Spool spool = create(SMALL);
    int firstDropAt = -1;
    for (int n = 1; n <= 40 && firstDropAt < 0; n++) {
      OutboundMessage notification = TestNotifications.of(n, 250, TestNotifications.incompressiblePlan(15_000, n));
      appended.add(notification);
      long sequence = spool.append(notification);
      assertEquals(n, sequence);
      if (spool.droppedMessages() > 0) {
        firstDropAt = n;
      } else {
        assertEquals(n, spool.pending(), "nothing dropped before all plan text is gone");
      }
      assertTrue(spool.sizeBytes() <= SMALL, "size " + spool.sizeBytes());
    }
    assertTrue(firstDropAt > 0, "the spool filled up");
    assertTrue(spool.droppedPlanTexts() > 0);

    List<SpoolEntry> left = readAll(spool);
    long dropped = spool.droppedMessages();
    assertEquals(firstDropAt - dropped, left.size());
    assertEquals(left.size(), spool.pending());
    // the oldest are gone, the rest are in order and whole; every one but the newest has lost its plan text
    List<OutboundMessage> expected = new ArrayList<>();
    for (int i = (int) dropped; i < firstDropAt - 1; i++) {
      expected.add(appended.get(i).withoutPlanText());
    }
    expected.add(appended.get(firstDropAt - 1));
    assertEntries(expected, dropped + 1, left);
    assertEquals(firstDropAt - 1, spool.droppedPlanTexts(), "every older message shed its plan text, once");
    JsonNode shed = sparkProcess(left.get(0).notification());
    assertFalse(shed.has("sparkPlanDescription"), shed.toString());
    assertFalse(shed.has("details"), shed.toString());
    assertEquals(252, shed.path("inputs").size(), "the lineage itself is kept");
    JsonNode newest = sparkProcess(left.get(left.size() - 1).notification());
    assertTrue(newest.path("sparkPlanDescription").asText().startsWith("== Analyzed Logical Plan =="));

    // the spool keeps working after it was full
    OutboundMessage next = TestNotifications.of(99, 250, null);
    long sequence = spool.append(next);
    assertEquals(firstDropAt + 1, sequence);
    List<SpoolEntry> after = readAll(spool);
    assertSameNotification(next, after.get(after.size() - 1).notification(), "appended after full");
    spool.close();
  }

  @Test
  void messageLargerThanTheWholeSpoolIsDroppedAndCounted() throws IOException {
    long maxBytes = 128 * 1024;
    try (Spool spool = create(maxBytes)) {
      spool.append(withPlan(1, 1_000));
      OutboundMessage huge = TestNotifications.of(2, 5_000, null);
      assertTrue(FrameCodec.encode(2, huge).length > maxBytes, "even without plan text");

      assertEquals(-1, spool.append(huge));

      assertEquals(1, spool.droppedMessages());
      assertEquals(0, spool.droppedPlanTexts());
      assertEquals(1, spool.pending());
      assertEquals(1, spool.lastAppended());
      assertEquals(2, spool.append(withPlan(3, 1_000)), "the dropped message used no number");
    }
  }

  @Test
  void messageTooLargeOnlyBecauseOfItsPlanTextIsKeptWithoutIt() throws IOException {
    try (Spool spool = create(SMALL)) {
      OutboundMessage large = TestNotifications.of(1, TestNotifications.incompressiblePlan(400_000, 1));

      assertEquals(1, spool.append(large));

      assertEquals(0, spool.droppedMessages());
      assertEquals(1, spool.droppedPlanTexts());
      assertEntries(List.of(large.withoutPlanText()), 1, readAll(spool));
    }
  }

  // ------------------------------------------------------------------------------------------ dead letters

  @Test
  void rejectedEntryMovesToTheDeadLetterFileAndCountsAsDone() throws IOException {
    List<OutboundMessage> appended = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      appended.add(withPlan(n, 1_000));
    }
    Spool spool = create(SMALL);
    appendAll(spool, appended);
    SpoolEntry first = readAll(spool).get(0);

    spool.reject(first);

    assertEquals(1, spool.rejected());
    assertEquals(1, spool.acked());
    assertEquals(2, spool.pending());
    assertEntries(appended.subList(1, 3), 2, readAll(spool));
    assertTrue(Files.isRegularFile(spool.directory().resolve(Spool.REJECTED_FILE)));
    assertEntries(appended.subList(0, 1), 1, spool.rejectedEntries());

    // delivered but for the dead letter: kept for the replay command
    spool.ack(3);
    Path dir = spool.directory();
    spool.close();
    assertTrue(Files.isDirectory(dir), "a spool with a dead letter is not deleted");
    try (Spool reopened = Spool.open(dir, SMALL)) {
      assertEquals(0, reopened.pending());
      assertEntries(appended.subList(0, 1), 1, reopened.rejectedEntries());
      reopened.clearRejected();
      assertTrue(reopened.rejectedEntries().isEmpty());
    }
    assertFalse(Files.exists(dir), "deleted once the dead letter is cleared");
  }

  // ------------------------------------------------------------------------------------------ discovery

  @Test
  void directoriesListsTheSpoolsUnderABaseOldestFirst() throws IOException, InterruptedException {
    List<Path> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Spool spool = create(SMALL);
      spool.append(withPlan(i, 100));
      spool.close();
      created.add(spool.directory());
      Thread.sleep(5);
    }
    Files.createDirectories(base.resolve("00000000-not-a-spool"));
    Files.writeString(base.resolve("notes.txt"), "x");

    assertEquals(created, Spool.directories(base));
    assertTrue(Spool.isSpool(created.get(0)));
    assertFalse(Spool.isSpool(base), "the base is a folder of spools, not a spool");
    assertEquals(List.of(), Spool.directories(base.resolve("missing")));
  }

  @Test
  void destinationOfNamesTheServersAndTopicTheSpoolWasMadeFor() throws IOException {
    try (Spool spool = create(SMALL)) {
      assertEquals("bootstrap.servers=broker-1:9092,broker-2:9092\ntopic=ATLAS_HOOK\n",
          Spool.destinationOf(spool.directory()));
    }
    assertEquals("", Spool.destinationOf(base.resolve("missing")));
  }
}

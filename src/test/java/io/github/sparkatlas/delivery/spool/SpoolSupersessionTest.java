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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A newer state of a process supersedes the older ones waiting in the spool; nothing else is ever left out. */
class SpoolSupersessionTest {
  private static final String DESTINATION = KafkaSink.destination("broker-1:9093", "ATLAS_HOOK");
  private static final long SMALL = 256 * 1024;
  private static final long LARGE = 64L << 20;
  private static final String OTHER_KEY = "spark_process_of_another_application@cl1";

  @TempDir
  Path base;

  // ------------------------------------------------------------------------------------------ helpers

  /** State {@code n} of a process: its whole lineage so far, so it replaces every earlier state of {@code key}. */
  static OutboundMessage state(int n, String key) {
    return state(n, key, null);
  }

  static OutboundMessage state(int n, String key, String planText) {
    OutboundMessage of = TestNotifications.of(n, planText);
    return new OutboundMessage(of.applicationId(), key, of.user(), of.createdAtMillis(), of.body(),
        of.hasPlanText(), true);
  }

  /** A message of the same key that replaces nothing (a DDL or a drop, say): never superseded. */
  static OutboundMessage change(int n, String key) {
    OutboundMessage of = TestNotifications.of(n, null);
    return new OutboundMessage(of.applicationId(), key, of.user(), of.createdAtMillis(), of.body(), false, false);
  }

  private static List<SpoolEntry> readAll(Spool spool) throws IOException {
    return spool.read(0, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  /** The sequence numbers of the entries to be sent, and of those superseded, as "3,5" and "1,2,4". */
  private static String sent(List<SpoolEntry> entries) {
    return sequences(entries, false);
  }

  private static String superseded(List<SpoolEntry> entries) {
    return sequences(entries, true);
  }

  private static String sequences(List<SpoolEntry> entries, boolean superseded) {
    List<String> out = new ArrayList<>();
    for (SpoolEntry entry : entries) {
      if (entry.superseded() == superseded) {
        out.add(Long.toString(entry.sequence()));
      }
    }
    return String.join(",", out);
  }

  private static void assertSameNotification(OutboundMessage expected, OutboundMessage actual, String what) {
    assertEquals(expected.applicationId(), actual.applicationId(), what + ": application");
    assertEquals(expected.key(), actual.key(), what + ": key");
    assertEquals(expected.user(), actual.user(), what + ": user");
    assertEquals(expected.createdAtMillis(), actual.createdAtMillis(), what + ": created");
    assertEquals(expected.hasPlanText(), actual.hasPlanText(), what + ": has plan text");
    assertEquals(expected.replacesEarlier(), actual.replacesEarlier(), what + ": replaces earlier");
    assertEquals(expected.body(), actual.body(), what + ": body");
  }

  /** A frame of the fixture: addressed as {@code expected}, replacing nothing, its body whole and naming its output. */
  private static void assertOldFrame(OutboundMessage expected, OutboundMessage actual, String output)
      throws IOException {
    assertEquals(expected.applicationId(), actual.applicationId(), output + ": application");
    assertEquals(expected.key(), actual.key(), output + ": key");
    assertEquals(expected.user(), actual.user(), output + ": user");
    assertEquals(expected.createdAtMillis(), actual.createdAtMillis(), output + ": created");
    assertEquals(expected.hasPlanText(), actual.hasPlanText(), output + ": has plan text");
    assertFalse(actual.replacesEarlier(), output + ": replaces nothing");
    JsonNode body = new ObjectMapper().readTree(actual.body());
    assertEquals("ENTITY_CREATE_V2", body.path("type").asText(), output);
    assertTrue(actual.body().contains("\"qualifiedName\":\"" + output + "\""), actual.body());
  }

  /** What {@code kill -9} leaves: the files of a spool still open, copied as they are, lock file included. */
  private Path copyOfOpenSpool(Spool spool) throws IOException {
    Path copy = Files.createDirectories(base.resolve("killed").resolve(spool.directory().getFileName()));
    try (java.util.stream.Stream<Path> files = Files.list(spool.directory())) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return copy;
  }

  // ------------------------------------------------------------------------------------------ which frames

  @Test
  void aNewerStateSupersedesTheWaitingStatesOfItsKeyOnlyAndMessagesThatReplaceNothingStay() throws IOException {
    String key = TestNotifications.KEY;
    try (Spool spool = Spool.create(base, DESTINATION, LARGE)) {
      List<OutboundMessage> appended = List.of(state(1, key), change(2, key), state(3, OTHER_KEY), state(4, key),
          change(5, key), state(6, key));
      for (OutboundMessage message : appended) {
        spool.append(message);
      }

      List<SpoolEntry> entries = readAll(spool);
      assertEquals("2,3,5,6", sent(entries));
      assertEquals("1,4", superseded(entries));
      assertEquals(4, spool.pending(), "superseded entries are not waiting to be sent");
      assertEquals(2, spool.supersededPending());
      for (SpoolEntry entry : entries) {
        if (!entry.superseded()) {
          assertSameNotification(appended.get((int) entry.sequence() - 1), entry.notification(),
              "entry " + entry.sequence());
        }
      }
      assertThrows(IllegalStateException.class, () -> entries.get(0).notification(),
          "a superseded entry has no message to send by mistake");
    }
  }

  @Test
  void aStateAlreadyAcknowledgedIsNotCountedAsSuperseded() throws IOException {
    try (Spool spool = Spool.create(base, DESTINATION, LARGE)) {
      spool.append(state(1, TestNotifications.KEY));
      spool.ack(1);
      spool.append(state(2, TestNotifications.KEY));

      assertEquals(0, spool.supersededPending());
      assertEquals(1, spool.pending());
      assertEquals("2", sent(readAll(spool)));
    }
  }

  @Test
  void theNewestStateOfAKeyIsNeverSupersededSoTheLastEntryIsAlwaysSent() throws IOException {
    try (Spool spool = Spool.create(base, DESTINATION, LARGE)) {
      for (int n = 1; n <= 50; n++) {
        spool.append(state(n, n % 2 == 0 ? TestNotifications.KEY : OTHER_KEY));
      }
      List<SpoolEntry> entries = readAll(spool);
      assertEquals("49,50", sent(entries));
      assertEquals(2, spool.pending());
      assertEquals(48, spool.supersededPending());
    }
  }

  // ------------------------------------------------------------------------------------------ after a crash

  @Test
  void supersessionIsLearntAgainFromTheFramesWhenASpoolLeftByAKilledDriverIsOpened() throws IOException {
    String key = TestNotifications.KEY;
    List<OutboundMessage> appended = List.of(state(1, key), change(2, key), state(3, OTHER_KEY), state(4, key),
        state(5, key), state(6, OTHER_KEY), change(7, key));
    Path killed;
    try (Spool spool = Spool.create(base, DESTINATION, LARGE)) {
      for (OutboundMessage message : appended) {
        spool.append(message);
      }
      spool.ack(1);
      killed = copyOfOpenSpool(spool);
    }

    try (Spool reopened = Spool.open(killed, LARGE)) {
      List<SpoolEntry> entries = readAll(reopened);
      assertEquals("2,5,6,7", sent(entries));
      assertEquals("3,4", superseded(entries));
      assertEquals(4, reopened.pending());
      for (SpoolEntry entry : entries) {
        if (!entry.superseded()) {
          assertSameNotification(appended.get((int) entry.sequence() - 1), entry.notification(),
              "entry " + entry.sequence());
        }
      }
      // and a state appended after the reopen supersedes the one found on disk
      reopened.append(state(8, key));
      assertEquals("2,6,7,8", sent(readAll(reopened)));
    }
  }

  // ------------------------------------------------------------------------------------------ full spool

  @Test
  void aFullSpoolReclaimsSupersededStatesBeforeSheddingPlanTextOrDroppingAnything() throws IOException {
    String key = TestNotifications.KEY;
    List<OutboundMessage> appended = new ArrayList<>();
    Path killed;
    try (Spool spool = Spool.create(base, DESTINATION, SMALL)) {
      // 60 states of about 15 KB each are 900 KB: more than three times the spool, yet only the newest matters
      for (int n = 1; n <= 60; n++) {
        OutboundMessage message = n % 10 == 0 ? change(n, key)
            : state(n, key, TestNotifications.incompressiblePlan(15_000, n));
        appended.add(message);
        assertEquals(n, spool.append(message));
        assertTrue(spool.sizeBytes() <= SMALL, "size " + spool.sizeBytes() + " after " + n);
      }

      assertEquals(0, spool.droppedPlanTexts(), "no plan text shed");
      assertEquals(0, spool.droppedMessages(), "no message dropped");
      List<SpoolEntry> entries = readAll(spool);
      assertEquals("10,20,30,40,50,59,60", sent(entries));
      assertEquals(7, spool.pending());
      assertEquals(53, spool.supersededPending(), "reclaimed frames keep their place in the order");
      SpoolEntry newestState = entries.get(entries.size() - 2);
      assertSameNotification(appended.get(58), newestState.notification(), "the newest state, with its plan text");
      killed = copyOfOpenSpool(spool);
    }

    try (Spool reopened = Spool.open(killed, SMALL)) {
      List<SpoolEntry> entries = readAll(reopened);
      assertEquals("10,20,30,40,50,59,60", sent(entries));
      assertEquals(7, reopened.pending());
      assertEquals(60, reopened.lastAppended());
      assertEquals(61, reopened.append(state(61, key)), "numbering goes on after the last entry");
      assertEquals("10,20,30,40,50,60,61", sent(readAll(reopened)));
    }
  }

  @Test
  void supersededEntriesAreNotCountedAsDroppedWhenAFullSpoolDropsTheOldest() throws IOException {
    try (Spool spool = Spool.create(base, DESTINATION, SMALL)) {
      // messages that replace nothing fill the spool; a superseded state sits among the oldest
      spool.append(state(1, OTHER_KEY, TestNotifications.incompressiblePlan(1_000, 1)));
      spool.append(state(2, OTHER_KEY));
      int n = 3;
      while (spool.droppedMessages() == 0 && n < 200) {
        OutboundMessage big = TestNotifications.of(n, 250, null);
        spool.append(big);
        n++;
      }
      assertTrue(n < 200, "the spool filled up");
      // whatever was dropped, only messages that were to be sent count as lost
      long dropped = spool.droppedMessages();
      long left = spool.pending();
      assertEquals(n - 1 - 1, dropped + left, "every appended message but the superseded one is either "
          + "waiting or counted as dropped (dropped " + dropped + ", waiting " + left + ")");
    }
  }

  // ------------------------------------------------------------------------------------------ older format

  @Test
  void framesWrittenBeforeFramesCouldReplaceEarlierOnesAreReadAndReplaceNothing() throws IOException {
    // written by the FrameCodec of the first release, which had no such flag: the spool of a killed driver,
    // entries 1 to 5 of which 1 was acknowledged
    Path dir = Files.createDirectories(base.resolve("20261207-214100-000-0a1b2c3d"));
    for (String name : List.of("00000000000000000001.seg", "acked", "destination")) {
      try (InputStream in = SpoolSupersessionTest.class.getResourceAsStream("/spool-v1/" + name)) {
        Files.copy(in, dir.resolve(name));
      }
    }
    Files.createFile(dir.resolve(Spool.LOCK_FILE));
    assertEquals(DESTINATION, Spool.destinationOf(dir));

    try (Spool old = Spool.open(dir, LARGE)) {
      assertEquals(1, old.acked());
      assertEquals(4, old.pending());
      assertEquals(0, old.supersededPending(), "frames that do not say they replace earlier ones never do");
      List<SpoolEntry> entries = readAll(old);
      assertEquals("2,3,4,5", sent(entries));
      // the bodies as that version's entity factory wrote them, not as today's would
      assertOldFrame(TestNotifications.of(2, "Project [id#2]"), entries.get(0).notification(), "mart.daily_2@cl1");
      assertSameNotification(new OutboundMessage("application_other", "other-key@cl1", "u", 5L,
          "{\"type\":\"ENTITY_CREATE_V2\"}", false), entries.get(1).notification(), "entry 3");
      assertOldFrame(TestNotifications.of(3, null), entries.get(2).notification(), "mart.daily_3@cl1");
      assertOldFrame(TestNotifications.of(4, null), entries.get(3).notification(), "mart.daily_4@cl1");
      assertTrue(entries.get(0).notification().body().contains("Project [id#2]"), "plan text kept");

      // a new state of the same key supersedes nothing written the old way
      assertEquals(6, old.append(state(5, TestNotifications.KEY)));
      assertEquals("2,3,4,5,6", sent(readAll(old)));
      assertFalse(readAll(old).get(4).superseded());
      assertTrue(readAll(old).get(4).notification().replacesEarlier(), "the flag is written and read back");
    }
  }
}

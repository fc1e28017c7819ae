package io.github.sparkatlas.delivery.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.TestNotifications;
import io.github.sparkatlas.testsupport.LogCapture;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an application does with its spool base at start: it uses only a directory that is its user's own, falls
 * back to a private one otherwise, adopts only its user's spools, and keeps what waits for the replay command
 * within the retention limits. POSIX file systems only; the ownership cases need root (to give a file away).
 */
class SpoolBaseTest {
  private static final String DESTINATION = KafkaSink.destination("broker-1:9092", "ATLAS_HOOK");
  private static final String OTHER_DESTINATION = KafkaSink.destination("other-broker:9093", "ATLAS_HOOK");
  private static final long MAX_BYTES = 64L << 20;
  private static final long WEEK = TimeUnit.DAYS.toMillis(7);
  private static final long GIB = 1L << 30;

  @TempDir
  Path tmp;
  private Path base;
  private Path fallback;
  private final List<Spool> opened = new ArrayList<>();
  private LogCapture log;

  @BeforeEach
  void setUp() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file permissions");
    base = tmp.resolve("spool-base");
    fallback = tmp.resolve("home").resolve(".spark-atlas-agent").resolve("spool");
    log = LogCapture.of(SpoolBase.class.getPackage().getName());
  }

  @AfterEach
  void closeAll() throws IOException {
    for (Spool spool : opened) {
      spool.close();
    }
    if (log != null) {
      log.close();
    }
  }

  // ------------------------------------------------------------------------------------------ helpers

  private SpoolBase open(long retentionMillis, long retentionBytes) throws IOException {
    SpoolBase spools = SpoolBase.open(new SpoolSettings(base, fallback, MAX_BYTES, retentionMillis, retentionBytes),
        DESTINATION, Redactor.defaults());
    opened.add(spools.own());
    opened.addAll(spools.adopted());
    return spools;
  }

  private SpoolBase open() throws IOException {
    return open(WEEK, GIB);
  }

  private static UserPrincipal nobody() throws IOException {
    return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static void chmod(Path path, String permissions) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
  }

  /** A spool an earlier application left: {@code messages} undelivered messages for {@code destination}. */
  private static Path leftSpool(Path base, String destination, int messages) throws IOException {
    try (Spool spool = Spool.create(base, destination, MAX_BYTES)) {
      for (int n = 1; n <= messages; n++) {
        spool.append(message(n));
      }
      return spool.directory();
    }
  }

  private static OutboundMessage message(int n) {
    return TestNotifications.of(n, TestNotifications.incompressiblePlan(3_000, n));
  }

  private static List<Path> filesOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.collect(Collectors.toList());
    }
  }

  /** Makes every file of a spool look last written {@code age} ago. */
  private static void age(Path dir, Duration age) throws IOException {
    FileTime then = FileTime.fromMillis(System.currentTimeMillis() - age.toMillis());
    for (Path file : filesOf(dir)) {
      Files.setLastModifiedTime(file, then);
    }
    Files.setLastModifiedTime(dir, then);
  }

  private static long pendingIn(Path dir) throws IOException {
    try (Spool spool = Spool.open(dir, MAX_BYTES)) {
      return spool.pending();
    }
  }

  private static long sizeOf(Path dir) throws IOException {
    long total = 0;
    for (Path file : filesOf(dir)) {
      total += Files.size(file);
    }
    return total;
  }

  private List<String> lines(String level) {
    return log.at(level).stream().map(line -> line.message).collect(Collectors.toList());
  }

  private String onlyError() {
    List<String> errors = lines("ERROR");
    assertEquals(1, errors.size(), () -> "one ERROR: " + log.lines());
    return errors.get(0);
  }

  private void assertFellBack(SpoolBase spools, String reason) throws IOException {
    assertEquals(fallback, spools.own().directory().getParent(), "the spool is in the fallback");
    String error = onlyError();
    assertTrue(error.contains("refuses the spool directory " + base + ": it " + reason)
        && error.contains("uses its private directory " + fallback + " instead"), error);
    assertEquals("rwx------", permissions(fallback));
    assertEquals("rwx------", permissions(fallback.getParent()), "parents the agent creates are private too");
  }

  // ------------------------------------------------------------------------------------------ the base directory

  @ParameterizedTest
  @ValueSource(strings = {"rwx------", "rwxr-xr-x", "rwxr-x---"})
  void aDirectoryOfTheUsersOwnThatNobodyElseMayWriteIsUsed(String mode) throws IOException {
    Files.createDirectories(base);
    chmod(base, mode);

    SpoolBase spools = open();

    assertEquals(base, spools.own().directory().getParent());
    assertEquals(List.of(), log.lines());
    assertFalse(Files.exists(fallback));
  }

  @Test
  void aMissingDirectoryIsCreatedOwnerOnlyWithTheParentsTheAgentCreates() throws IOException {
    base = tmp.resolve("local").resolve("scratch").resolve("spool-base");

    SpoolBase spools = open();

    assertEquals(base, spools.own().directory().getParent());
    for (Path dir : List.of(tmp.resolve("local"), tmp.resolve("local").resolve("scratch"), base)) {
      assertEquals("rwx------", permissions(dir), dir.toString());
    }
    assertEquals(List.of(), log.lines());
  }

  @ParameterizedTest
  @CsvSource({
      "rwxrwxrwx, is writable by all users (rwxrwxrwx)",
      "rwx---rwx, is writable by all users (rwx---rwx)",
      "rwxrwx---, is writable by its group",
  })
  void aDirectoryOthersMayWriteIsRefusedAndTheFallbackUsed(String mode, String reason) throws IOException {
    Files.createDirectories(base);
    chmod(base, mode);

    SpoolBase spools = open();

    assertFellBack(spools, reason);
    assertEquals(List.of(), filesOf(base), "nothing written to the refused directory");
  }

  @Test
  void aDirectoryOwnedByAnotherUserIsRefusedAndTheFallbackUsed() throws IOException {
    Files.createDirectories(base);
    chmod(base, "rwx------");
    Files.setOwner(base, nobody());

    SpoolBase spools = open();

    assertFellBack(spools, "is owned by nobody, not by " + Files.getOwner(tmp).getName());
    assertEquals(List.of(), filesOf(base), "nothing written to the refused directory");
  }

  @Test
  void aSymbolicLinkIsRefusedAndTheFallbackUsed() throws IOException {
    Path target = Files.createDirectories(tmp.resolve("elsewhere"));
    chmod(target, "rwx------");
    Files.createSymbolicLink(base, target);

    SpoolBase spools = open();

    assertFellBack(spools, "is a symbolic link (to " + target + ")");
    assertEquals(List.of(), filesOf(target), "nothing written where the link points");
  }

  @Test
  void aRefusedDirectoryWithoutAFallbackFailsNamingItAndWhy() throws IOException {
    Files.createDirectories(base);
    chmod(base, "rwxrwxrwx");

    IOException e = assertThrows(IOException.class, () -> SpoolBase.open(
        new SpoolSettings(base, null, MAX_BYTES, WEEK, GIB), DESTINATION, Redactor.defaults()));

    assertTrue(e.getMessage().contains(base + " is refused: it is writable by all users"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------------ adoption

  @Test
  void onlyTheUsersOwnSpoolsAreAdopted() throws IOException {
    Path mine = leftSpool(Files.createDirectories(base), DESTINATION, 2);
    Path givenAway = leftSpool(base, DESTINATION, 3);
    Files.setOwner(givenAway, nobody());
    for (Path file : filesOf(givenAway)) {
      Files.setOwner(file, nobody());
    }
    Path oneFileGivenAway = leftSpool(base, DESTINATION, 4);
    Path segment = filesOf(oneFileGivenAway).stream().filter(f -> f.toString().endsWith(".seg")).findFirst()
        .orElseThrow();
    Files.setOwner(segment, nobody());
    Path groupWritable = leftSpool(base, DESTINATION, 5);
    chmod(groupWritable, "rwxrwx---");
    Path linkTarget = leftSpool(Files.createDirectories(tmp.resolve("other-base")), DESTINATION, 6);
    Path link = Files.createSymbolicLink(base.resolve("00000000-linked"), linkTarget);

    SpoolBase spools = open();

    assertEquals(List.of(mine), spools.adopted().stream().map(Spool::directory).collect(Collectors.toList()));
    List<String> warnings = lines("WARN");
    assertEquals(4, warnings.size(), () -> String.join("\n", warnings));
    assertTrue(warnings.contains("spark-atlas-agent leaves the spool " + givenAway + " alone: it is owned by nobody, "
        + "not by " + Files.getOwner(tmp).getName() + " who runs this application; only spools of the user who "
        + "runs the application are sent, adopted or removed"), () -> String.join("\n", warnings));
    assertTrue(warnings.stream().anyMatch(w -> w.contains(oneFileGivenAway + " alone: its file "
        + segment.getFileName() + " is owned by nobody")), () -> String.join("\n", warnings));
    assertTrue(warnings.stream().anyMatch(w -> w.contains(groupWritable + " alone: it is writable by its group")),
        () -> String.join("\n", warnings));
    assertTrue(warnings.stream().anyMatch(w -> w.contains(link + " alone: it is a symbolic link")),
        () -> String.join("\n", warnings));
    assertEquals(3, pendingIn(givenAway), "left as it was");
    assertEquals(4, pendingIn(oneFileGivenAway), "left as it was");
    assertEquals(5, pendingIn(groupWritable), "left as it was");
    assertEquals(6, pendingIn(linkTarget), "left as it was");
  }

  // ------------------------------------------------------------------------------------------ retention

  @Test
  void aSpoolOfAnotherDestinationOlderThanTheAgeLimitIsRemovedAndSaysWhatItHeld() throws IOException {
    Path old = leftSpool(Files.createDirectories(base), OTHER_DESTINATION, 3);
    long oldBytes = sizeOf(old);
    age(old, Duration.ofDays(8));
    Path recent = leftSpool(base, OTHER_DESTINATION, 2);
    age(recent, Duration.ofDays(6));

    SpoolBase spools = open();

    assertFalse(Files.exists(old), "removed");
    assertEquals(2, pendingIn(recent), "a younger one stays");
    assertEquals(List.of(), spools.adopted());
    String error = onlyError();
    assertTrue(error.startsWith("spark-atlas-agent removed the spool " + old + " left for another Kafka "
        + "destination (bootstrap.servers=other-broker:9093, topic=ATLAS_HOOK): 3 undelivered lineage message(s) "
        + "and 0 dead letter(s), " + oldBytes + " bytes, last written "), error);
    assertTrue(error.endsWith("it was last written more than 168 hours ago (atlas.spark.spool.retention.hours)"),
        error);
  }

  @Test
  void deadLetterFilesOlderThanTheAgeLimitAreRemoved() throws IOException {
    Files.createDirectories(base);
    Path onlyDeadLetters;
    Path deadLettersAndPending;
    Path recentDeadLetters;
    try (Spool spool = Spool.create(base, DESTINATION, MAX_BYTES)) {
      onlyDeadLetters = spool.directory();
      spool.append(message(1));
      spool.reject(spool.read(0, 1, Long.MAX_VALUE).get(0));
    }
    try (Spool spool = Spool.create(base, DESTINATION, MAX_BYTES)) {
      deadLettersAndPending = spool.directory();
      spool.append(message(1));
      spool.append(message(2));
      spool.reject(spool.read(0, 1, Long.MAX_VALUE).get(0));
    }
    try (Spool spool = Spool.create(base, DESTINATION, MAX_BYTES)) {
      recentDeadLetters = spool.directory();
      spool.append(message(1));
      spool.reject(spool.read(0, 1, Long.MAX_VALUE).get(0));
    }
    age(onlyDeadLetters, Duration.ofDays(30));
    age(deadLettersAndPending, Duration.ofDays(30));

    SpoolBase spools = open();

    assertFalse(Files.exists(onlyDeadLetters), "a spool that held nothing else is gone with its dead letters");
    assertFalse(Files.exists(deadLettersAndPending.resolve(Spool.REJECTED_FILE)));
    assertEquals(List.of(deadLettersAndPending),
        spools.adopted().stream().map(Spool::directory).collect(Collectors.toList()),
        "its undelivered message is sent as usual");
    assertTrue(Files.exists(recentDeadLetters.resolve(Spool.REJECTED_FILE)), "recent dead letters stay");
    List<String> errors = lines("ERROR");
    assertEquals(2, errors.size(), () -> String.join("\n", errors));
    for (String error : errors) {
      assertTrue(error.matches("spark-atlas-agent removed the dead-letter file .*/rejected\\.dead: 1 lineage "
          + "message\\(s\\) Kafka refused as too large, \\d+ bytes, last written .*; it was last written more than "
          + "168 hours ago \\(atlas.spark.spool.retention.hours\\)"), error);
    }
  }

  @Test
  void overTheSizeLimitTheOldestLeftoversAreRemovedFirst() throws IOException {
    Files.createDirectories(base);
    List<Path> leftovers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path spool = leftSpool(base, OTHER_DESTINATION, 4);
      age(spool, Duration.ofHours(3 - i));
      leftovers.add(spool);
    }
    long each = sizeOf(leftovers.get(0));
    long limit = each * 5 / 2;

    open(WEEK, limit);

    assertFalse(Files.exists(leftovers.get(0)), "the oldest is removed");
    assertEquals(4, pendingIn(leftovers.get(1)));
    assertEquals(4, pendingIn(leftovers.get(2)));
    String error = onlyError();
    assertTrue(error.startsWith("spark-atlas-agent removed the spool " + leftovers.get(0)), error);
    assertTrue(error.contains("4 undelivered lineage message(s)")
        && error.endsWith("the spools of other destinations and dead-letter files in " + base + " took "
        + (3 * each) + " bytes, more than atlas.spark.spool.retention.bytes=" + limit + ", and this was the oldest"),
        error);
  }

  @Test
  void aSpoolItsOwnerStillHoldsIsNeverRemoved() throws IOException {
    Path held = leftSpool(Files.createDirectories(base), OTHER_DESTINATION, 2);
    age(held, Duration.ofDays(30));
    try (Spool owner = Spool.open(held, MAX_BYTES)) {
      open(WEEK, 1);

      assertTrue(Files.isDirectory(held));
      assertEquals(2, owner.pending());
      assertEquals(List.of(), lines("ERROR"));
    }
  }

  @Test
  void anOldSpoolForThisDestinationIsSentNotRemoved() throws IOException {
    Path old = leftSpool(Files.createDirectories(base), DESTINATION, 2);
    age(old, Duration.ofDays(30));

    SpoolBase spools = open(WEEK, 1);

    assertEquals(List.of(old), spools.adopted().stream().map(Spool::directory).collect(Collectors.toList()));
    assertEquals(2, spools.adopted().get(0).pending());
    assertEquals(List.of(), lines("ERROR"));
  }
}

package io.github.sparkatlas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.message.TestNotifications;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay command sends only spools of the user who runs it, and says for each one it skips what it skipped and
 * why. No spool here is sent, so the unreachable broker of the configuration is never contacted.
 */
class ReplayTest {
  private static final String DESTINATION = KafkaSink.destination("127.0.0.1:9", "ATLAS_HOOK");
  private static final String ONLY_OWN = "; only spools of the user who runs replay are sent";

  @TempDir
  Path tmp;
  private Path config;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX file permissions");
    config = Files.writeString(tmp.resolve("atlas-application.properties"),
        "atlas.kafka.bootstrap.servers=127.0.0.1:9\natlas.notification.hook.topic.name=ATLAS_HOOK\n");
  }

  private int replay(Path dir) throws Exception {
    return new Replay(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8)).run(List.of(dir.toString(), "--config", config.toString(), "--timeout-seconds", "5"));
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Path leftSpool(Path base, int messages) throws IOException {
    try (Spool spool = Spool.create(base, DESTINATION, 64L << 20)) {
      for (int n = 1; n <= messages; n++) {
        spool.append(TestNotifications.of(n, "plan " + n));
      }
      return spool.directory();
    }
  }

  private static UserPrincipal nobody() throws IOException {
    return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static void giveAway(Path dir) throws IOException {
    Files.setOwner(dir, nobody());
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.setOwner(file, nobody());
      }
    }
  }

  private static long pendingIn(Path dir) throws IOException {
    try (Spool spool = Spool.open(dir, 64L << 20)) {
      return spool.pending();
    }
  }

  private static String me() {
    return System.getProperty("user.name");
  }

  @Test
  void eachSpoolThatIsNotTheUsersOwnIsSkippedWithTheReason() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("spools"));
    Path givenAway = leftSpool(base, 2);
    giveAway(givenAway);
    Path lockGivenAway = leftSpool(base, 3);
    Files.setOwner(lockGivenAway.resolve("lock"), nobody());
    Path groupWritable = leftSpool(base, 4);
    Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rwxrwx---"));
    Path target = leftSpool(Files.createDirectories(tmp.resolve("elsewhere")), 5);
    Path link = Files.createSymbolicLink(base.resolve("00000000-linked"), target);

    int exitCode = replay(base);

    assertEquals(1, exitCode, "something is left: " + printed() + err);
    String printed = printed();
    assertTrue(printed.contains("replay: skipped " + givenAway + ": it is owned by nobody, not by " + me()
        + " who runs this application" + ONLY_OWN + "\n"), printed);
    assertTrue(printed.contains("replay: skipped " + lockGivenAway + ": its file lock is owned by nobody"), printed);
    assertTrue(printed.contains("replay: skipped " + groupWritable + ": it is writable by its group"), printed);
    assertTrue(printed.contains("replay: skipped " + link + ": it is a symbolic link (to " + target + ")" + ONLY_OWN),
        printed);
    assertTrue(printed.contains("replay: 0 message(s) sent"), printed);
    assertEquals(2, pendingIn(givenAway), "left as it was");
    assertEquals(3, pendingIn(lockGivenAway), "left as it was");
    assertEquals(4, pendingIn(groupWritable), "left as it was");
    assertEquals(5, pendingIn(target), "left as it was");
  }

  @Test
  void aSpoolNamedDirectlyThatIsNotTheUsersOwnIsSkippedWithTheReason() throws Exception {
    Path givenAway = leftSpool(Files.createDirectories(tmp.resolve("spools")), 2);
    giveAway(givenAway);

    int exitCode = replay(givenAway);

    assertEquals(1, exitCode, "something is left: " + printed() + err);
    assertTrue(printed().contains("replay: skipped " + givenAway + ": it is owned by nobody"), printed());
    assertEquals(2, pendingIn(givenAway), "left as it was");
  }
}

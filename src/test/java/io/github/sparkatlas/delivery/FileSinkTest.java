package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.message.EncodedMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSinkTest {
  private static final String APP_ID = "application_1700000000000_0001";
  private static final NotificationEncoder ENCODER =
      new NotificationEncoder(900_000, true, "127.0.0.1", "spark-atlas-agent", "test");

  @TempDir
  Path dir;

  private static EncodedMessage message(String... records) {
    return new EncodedMessage(APP_ID + "@cl1", List.of(records));
  }

  @Test
  void writesEachRecordAsOneLineUnderTheApplicationsFolder() throws IOException {
    FileSink sink = new FileSink(dir, ENCODER);

    sink.send(APP_ID, message("{\"a\":1}"));
    sink.send(APP_ID, message("{\"part\":0}", "{\"part\":1,\"text\":\"line\\nbreak, ünïcødé 数据\"}"));

    Path file = dir.resolve(APP_ID).resolve("atlas-hook.jsonl");
    assertEquals(file, sink.fileFor(APP_ID));
    assertEquals(List.of("{\"a\":1}", "{\"part\":0}", "{\"part\":1,\"text\":\"line\\nbreak, ünïcødé 数据\"}"),
        Files.readAllLines(file, StandardCharsets.UTF_8));
    assertTrue(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).endsWith("}\n"));
    assertEquals(3, sink.delivered());
    assertEquals(0, sink.failed());
    assertTrue(sink.flush(1_000));
    sink.close();
  }

  @Test
  void eachApplicationGetsItsOwnFile() throws IOException {
    FileSink sink = new FileSink(dir, ENCODER);

    sink.send("app-1", message("{\"app\":1}"));
    sink.send("app-2", message("{\"app\":2}"));

    assertEquals(List.of("{\"app\":1}"), Files.readAllLines(dir.resolve("app-1").resolve(FileSink.FILE_NAME)));
    assertEquals(List.of("{\"app\":2}"), Files.readAllLines(dir.resolve("app-2").resolve(FileSink.FILE_NAME)));
  }

  @Test
  void aNewSinkOnTheSameDirectoryAppendsInsteadOfOverwriting() throws IOException {
    new FileSink(dir, ENCODER).send(APP_ID, message("{\"n\":1}"));
    new FileSink(dir, ENCODER).send(APP_ID, message("{\"n\":2}"));

    assertEquals(List.of("{\"n\":1}", "{\"n\":2}"),
        Files.readAllLines(dir.resolve(APP_ID).resolve(FileSink.FILE_NAME)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"app/../../escape", "C:\\spark\\app 1", "app:1*?<>|\"", "spark-ü-数据", "a/b/c", " "})
  void applicationIdsWithOddCharactersBecomeOneSafeFolderName(String applicationId) throws IOException {
    FileSink sink = new FileSink(dir, ENCODER);

    sink.send(applicationId, message("{\"x\":1}"));

    Path file = sink.fileFor(applicationId);
    Path folder = file.getParent();
    assertEquals(dir, folder.getParent(), "one folder directly under the sink dir: " + file);
    assertTrue(folder.getFileName().toString().matches("[A-Za-z0-9._-]+"), folder.getFileName().toString());
    assertEquals(FileSink.FILE_NAME, file.getFileName().toString());
    assertTrue(file.normalize().startsWith(dir), file.toString());
    assertEquals(List.of("{\"x\":1}"), Files.readAllLines(file));
    assertEquals(1, sink.delivered());
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "."})
  void applicationIdMadeOnlyOfDotsStaysInsideTheSinkDirectory(String applicationId) {
    FileSink sink = new FileSink(dir, ENCODER);

    Path file = sink.fileFor(applicationId).normalize();

    assertTrue(file.startsWith(dir) && !file.getParent().equals(dir), "own folder inside " + dir + ": " + file);
  }

  @Test
  void outputIsReadableByItsOwnerOnlyLikeTheSpool() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX file permissions");
    Path sinkDir = dir.resolve("lineage");
    FileSink sink = new FileSink(sinkDir, ENCODER);

    sink.send(APP_ID, message("{\"a\":1}"));
    sink.send(APP_ID, message("{\"a\":2}"));

    Path file = sink.fileFor(APP_ID);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sinkDir)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}"), Files.readAllLines(file));
  }

  @Test
  void unwritableDirectoryCountsFailuresAndDoesNotThrow() throws IOException {
    // a regular file where the directory should be: cannot be created, even by root
    Path notADirectory = Files.write(dir.resolve("occupied"), new byte[] {1});
    FileSink sink = new FileSink(notADirectory.resolve("lineage"), ENCODER);

    assertDoesNotThrow(() -> sink.send(APP_ID, message("{\"a\":1}", "{\"a\":2}")));
    assertDoesNotThrow(() -> sink.send(APP_ID, message("{\"a\":3}")));

    assertEquals(3, sink.failed());
    assertEquals(0, sink.delivered());
    assertFalse(Files.exists(notADirectory.resolve("lineage")));
    assertDoesNotThrow(() -> sink.close());
  }

  @Test
  void applicationFileThatIsADirectoryCountsFailuresAndDoesNotThrow() throws IOException {
    Files.createDirectories(dir.resolve(APP_ID).resolve(FileSink.FILE_NAME));
    FileSink sink = new FileSink(dir, ENCODER);

    assertDoesNotThrow(() -> sink.send(APP_ID, message("{\"a\":1}")));

    assertEquals(1, sink.failed());
    assertEquals(0, sink.delivered());
  }
}

package io.github.sparkatlas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.redact.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line prints a failure as one redacted line and an exit code, never as an exception the JVM would
 * print as it is: an exception's message may quote a path, a URL or a line of a file with a secret in it.
 */
class CliErrorRedactionTest {
  @TempDir
  Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return Main.run(args, new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
  }

  private String printed() {
    return new String(out.toByteArray(), StandardCharsets.UTF_8) + new String(err.toByteArray(), StandardCharsets.UTF_8);
  }

  private Path config(String... lines) throws Exception {
    return Files.write(tmp.resolve("atlas-application.properties"), List.of(lines), StandardCharsets.UTF_8);
  }

  @Test
  void aReplayErrorQuotingAFileLineIsPrintedMaskedByTheConfigsRedactionRegex() throws Exception {
    Path output = Files.createDirectories(tmp.resolve("lineage").resolve("app-1"));
    Files.write(output.resolve(FileSink.FILE_NAME), List.of("corp4711 is no JSON"), StandardCharsets.UTF_8);
    Path config = config("atlas.kafka.bootstrap.servers=127.0.0.1:1", "atlas.kafka.max.block.ms=100",
        "atlas.spark.redaction.regex=corp[0-9]+");

    int exit = run("replay", tmp.resolve("lineage").toString(), "--config", config.toString(),
        "--timeout-seconds", "1");

    assertEquals(1, exit, printed());
    assertFalse(printed().contains("corp4711"), printed());
    assertTrue(printed().contains("replay: ") && printed().contains(Redactor.MASK), printed());
  }

  @Test
  void aReplayConfigErrorIsMaskedByTheConfigFilesRedactionRegex() throws Exception {
    Path config = config("atlas.kafka.bootstrap.servers=127.0.0.1:1", "atlas.spark.redaction.regex=corp-[0-9]+",
        "atlas.client.type=corp-4711");

    int exit = run("replay", tmp.toString(), "--config", config.toString());

    assertEquals(2, exit, printed());
    assertFalse(printed().contains("corp-4711"), printed());
    assertTrue(printed().contains("atlas.client.type"), printed());
  }

  @Test
  void aBadTimeoutIsAUsageErrorThatDoesNotEchoASecret() throws Exception {
    int exit = run("replay", tmp.toString(), "--timeout-seconds", "password=hunter2");

    assertEquals(2, exit, printed());
    assertFalse(printed().contains("hunter2"), printed());
    assertTrue(printed().contains("--timeout-seconds"), printed());
  }

  @Test
  void showOfAMissingDirectoryPrintsOneRedactedLine() throws Exception {
    int exit = run("show", tmp.resolve("out?sv=2024&sig=hunter2sig").toString());

    assertEquals(1, exit, printed());
    assertFalse(printed().contains("hunter2sig"), printed());
    assertTrue(printed().contains("NoSuchFileException"), printed());
  }
}

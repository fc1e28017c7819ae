package io.github.sparkatlas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.config.ConfigException;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.delivery.SpoolSender;
import io.github.sparkatlas.delivery.spool.OwnerCheck;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationDecoder;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;

/**
 * {@code replay <dir> [--config <properties>] [--timeout-seconds <n>]}: sends what an application could not, to
 * Kafka: a spool directory (or a folder of them, such as the default spool base) including its dead-letter
 * file, or the offline file sink's output. Messages go out in their original order and are marked as spooled.
 */
final class Replay {
  private static final long DEFAULT_TIMEOUT_SECONDS = 120;

  private final PrintStream out;
  private final PrintStream err;

  Replay(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(List<String> args) throws IOException, InterruptedException {
    if (args.isEmpty()) {
      err.println("replay: missing <dir>");
      return 2;
    }
    Path dir = java.nio.file.Paths.get(args.get(0)).toAbsolutePath();
    Path configFile = null;
    long timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--config") && i + 1 < args.size()) {
        configFile = java.nio.file.Paths.get(args.get(++i));
      } else if (arg.equals("--timeout-seconds") && i + 1 < args.size()) {
        try {
          timeoutSeconds = Long.parseLong(args.get(++i));
        } catch (NumberFormatException e) {
          err.println("replay: --timeout-seconds takes a whole number of seconds, not '"
              + Redactor.defaults().redact(args.get(i)) + "'");
          return 2;
        }
      } else {
        err.println("replay: unknown argument " + arg);
        return 2;
      }
    }
    AgentConfig config;
    Redactor redactor;
    try {
      config = configFile != null ? fromFile(configFile) : ConfigLoader.forThisJvm().load(Collections.emptyMap());
      redactor = Redactor.fromSparkConf(Collections.<String, String>emptyMap(),
          config.get(AgentConfigDef.REDACTION_REGEX));
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("replay: " + Redactor.defaults().redact(e.getMessage()));
      return 2;
    }
    try {
      return replay(dir, config, redactor, timeoutSeconds);
    } catch (IOException | RuntimeException e) {
      // Printed, not thrown: the JVM would print the message unredacted, and it may quote a path or a URL.
      err.println("replay: " + redactor.redact(e.toString()));
      return 1;
    }
  }

  private int replay(Path dir, AgentConfig config, Redactor redactor, long timeoutSeconds)
      throws IOException, InterruptedException {
    Map<String, String> kafka = config.kafkaProperties();
    if (!kafka.containsKey("bootstrap.servers")) {
      err.println("replay: no atlas.kafka.bootstrap.servers in " + config.origin()
          + "; pass the properties of the Kafka destination with --config <atlas-application.properties>");
      return 2;
    }
    List<Path> spools = spools(dir);
    List<Path> files = fileSinkOutput(dir);
    if (spools.isEmpty() && files.isEmpty()) {
      err.println("replay: nothing to send in " + dir + " (neither a spool nor " + FileSink.FILE_NAME + " files)");
      return 2;
    }
    Properties properties = ProducerSettings.of(kafka, config.get(AgentConfigDef.MESSAGE_MAX_LENGTH));
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    Producer<String, String> producer = KafkaSink.createProducer(properties);
    SpoolSender sender = new SpoolSender(producer, config.topic(), kafka.get("bootstrap.servers"),
        NotificationEncoder.of(config), redactor, Duration.ofSeconds(timeoutSeconds).toMillis() + 30_000);
    boolean complete = true;
    OwnerCheck owners = OwnerCheck.forCurrentUser();
    try {
      for (Path spool : spools) {
        complete &= replaySpool(spool, config, sender, deadline, owners);
      }
      for (Path file : files) {
        complete &= replayFile(file, config, sender, deadline);
      }
    } finally {
      producer.close(Duration.ofSeconds(5));
    }
    out.println("replay: " + sender.sent() + " message(s) sent to topic " + config.topic() + " at "
        + kafka.get("bootstrap.servers") + superseded(sender.superseded())
        + (complete ? "; nothing left" : "; some are left, see above"));
    return complete ? 0 : 1;
  }

  private static AgentConfig fromFile(Path file) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file); Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e);
    }
    Map<String, String> raw = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      raw.put(name, properties.getProperty(name));
    }
    try {
      return AgentConfig.of(raw, file.toString());
    } catch (ConfigException e) {
      throw new ConfigException(Redactor.forConfigErrors(Collections.<String, String>emptyMap(),
          raw.get(AgentConfigDef.REDACTION_REGEX.name())).redact(e.getMessage()));
    }
  }

  private static List<Path> spools(Path dir) throws IOException {
    if (Spool.isSpool(dir)) {
      return Collections.singletonList(dir);
    }
    return Spool.directories(dir);
  }

  private static List<Path> fileSinkOutput(Path dir) throws IOException {
    if (Files.isRegularFile(dir) && dir.getFileName().toString().equals(FileSink.FILE_NAME)) {
      return Collections.singletonList(dir);
    }
    if (!Files.isDirectory(dir) || Spool.isSpool(dir)) {
      return Collections.emptyList();
    }
    try (Stream<Path> walk = Files.walk(dir, 2)) {
      return walk.filter(p -> p.getFileName().toString().equals(FileSink.FILE_NAME)).sorted()
          .collect(Collectors.toList());
    }
  }

  private boolean replaySpool(Path dir, AgentConfig config, SpoolSender sender, long deadline, OwnerCheck owners)
      throws IOException, InterruptedException {
    String problem;
    try {
      problem = owners.spoolProblem(dir);
    } catch (IOException e) {
      problem = "who owns it cannot be checked (" + e + ")";
    }
    if (problem != null) {
      // Sending it would publish, with this user's Kafka credentials, whatever another user put there.
      out.println("replay: skipped " + dir + ": " + problem + "; only spools of the user who runs replay are sent");
      return false;
    }
    Spool spool;
    try {
      spool = Spool.open(dir, config.get(AgentConfigDef.SPOOL_MAX_BYTES));
    } catch (Spool.InUseException e) {
      out.println("replay: skipped " + dir + ": in use by a running application, which sends it itself");
      return true;
    }
    try {
      long before = sender.sent();
      long supersededBefore = sender.superseded();
      boolean done = sendWithRetries(spool, sender, deadline);
      List<SpoolEntry> rejected = spool.rejectedEntries();
      if (done && !rejected.isEmpty()) {
        if (sender.sendAll(rejected, true)) {
          spool.clearRejected();
        } else {
          done = false;
        }
      }
      long sent = sender.sent() - before;
      String superseded = superseded(sender.superseded() - supersededBefore);
      if (done) {
        out.println("replay: " + dir + ": " + sent + " message(s) sent" + superseded + ", nothing left");
      } else {
        out.println("replay: " + dir + ": " + sent + " message(s) sent" + superseded + ", "
            + (spool.pending() + rejected.size()) + " left: " + sender.lastProblem());
      }
      return done;
    } finally {
      spool.close();
    }
  }

  /** File-sink output goes through a temporary spool, so that it is sent and acknowledged exactly like a spool. */
  private boolean replayFile(Path file, AgentConfig config, SpoolSender sender, long deadline)
      throws IOException, InterruptedException {
    Path temp = Files.createTempDirectory("spark-atlas-agent-replay");
    Spool spool = Spool.create(temp, "replay of " + file, Long.MAX_VALUE / 2);
    try {
      String applicationId = file.getParent() == null ? "" : file.getParent().getFileName().toString();
      NotificationDecoder decoder = new NotificationDecoder();
      List<JsonNode> envelopes = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.trim().isEmpty()) {
          JsonNode envelope = decoder.acceptEnvelope(line);
          if (envelope != null) {
            envelopes.add(envelope);
          }
        }
      }
      String applicationKey = applicationKey(envelopes, applicationId);
      int messages = 0;
      for (JsonNode envelope : envelopes) {
        JsonNode message = envelope.path("message");
        spool.append(new OutboundMessage(applicationId, processName(message, applicationKey),
            envelope.path("msgCreatedBy").asText(""), envelope.path("msgCreationTime").asLong(System.currentTimeMillis()),
            message.toString(), false));
        messages++;
      }
      long before = sender.sent();
      boolean done = sendWithRetries(spool, sender, deadline);
      out.println("replay: " + file + ": " + (sender.sent() - before) + " of " + messages + " message(s) sent"
          + (done ? "" : "; " + sender.lastProblem()));
      return done;
    } finally {
      spool.close();
      deleteRecursively(temp);
    }
  }

  /** Messages left unsent because a later one of the same process, sent after them, holds them: not a loss. */
  private static String superseded(long count) {
    return count == 0 ? "" : " (" + count + " superseded by a newer state of the same process)";
  }

  /**
   * The key the agent gave a catalog change (a delete, a rename, a table defined on its own): its application's
   * qualifiedName, named by the application's process or spark_application in the same file; else the id.
   */
  private static String applicationKey(List<JsonNode> envelopes, String applicationId) {
    for (JsonNode envelope : envelopes) {
      for (JsonNode entity : envelope.path("message").path("entities").path("entities")) {
        String type = entity.path("typeName").asText();
        String name = entity.path("attributes").path("qualifiedName").asText("");
        if (("spark_process".equals(type) || "spark_application".equals(type))
            && name.startsWith(applicationId + "@")) {
          return name;
        }
      }
    }
    return applicationId;
  }

  /** The process qualifiedName: the record key the agent uses, so the parts and order land as before. */
  private static String processName(JsonNode message, String fallback) {
    for (JsonNode entity : message.path("entities").path("entities")) {
      if (entity.path("typeName").asText().equals("spark_process")) {
        return entity.path("attributes").path("qualifiedName").asText(fallback);
      }
    }
    return fallback;
  }

  private boolean sendWithRetries(Spool spool, SpoolSender sender, long deadline)
      throws IOException, InterruptedException {
    while (true) {
      if (sender.sendPending(spool, true)) {
        return true;
      }
      if (System.nanoTime() + 1_000_000_000L > deadline) {
        return false;
      }
      Thread.sleep(1_000);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Collections.reverseOrder()).collect(Collectors.toList());
    }
    for (Path path : new ArrayList<>(paths)) {
      Files.deleteIfExists(path);
    }
  }
}

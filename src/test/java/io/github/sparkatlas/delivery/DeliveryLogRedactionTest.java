package io.github.sparkatlas.delivery;

import static io.github.sparkatlas.delivery.SpoolSenderTest.BOOTSTRAP;
import static io.github.sparkatlas.delivery.SpoolSenderTest.TOPIC;
import static io.github.sparkatlas.delivery.SpoolSenderTest.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolSettings;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every log line of the sinks that prints an exception (or a path it names) goes through the agent's redactor,
 * with the user's rules: a secret planted in the exception's message is in none of them.
 */
class DeliveryLogRedactionTest {
  /** Masked by a built-in rule. */
  private static final String PASSWORD = "hunter2-Pw";
  /** Masked only by the user's atlas.spark.redaction.regex. */
  private static final String USER_SECRET = "corp-4711";
  private static final Redactor REDACTOR = Redactor.of(null, null, "corp-[0-9]+");
  private static final String MESSAGE = "cannot reach jdbc:postgresql://etl:" + PASSWORD + "@db/x for tenant "
      + USER_SECRET;

  @TempDir
  Path tmp;

  private static SpoolSender sender(org.apache.kafka.clients.producer.Producer<String, String> producer) {
    return new SpoolSender(producer, TOPIC, BOOTSTRAP,
        new NotificationEncoder(1_000_000, true, "10.0.0.1", "spark-atlas-agent", "test"), REDACTOR, 30_000);
  }

  private static void assertRedacted(LogCapture log, String level) {
    List<LogCapture.Line> lines = log.at(level);
    assertFalse(lines.isEmpty(), "a " + level + " line: " + log.lines());
    String text = log.allText();
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains(USER_SECRET), text);
    assertTrue(lines.stream().anyMatch(line -> line.text().contains(Redactor.MASK)), text);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** A producer whose send fails with an Error, which the sender does not catch and the sink's thread does. */
  private static final class FailingProducer extends MockProducer<String, String> {
    FailingProducer() {
      super(true, new StringSerializer(), new StringSerializer());
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
      throw new LinkageError(MESSAGE);
    }
  }

  /** A producer whose close fails. */
  private static final class UnclosableProducer extends MockProducer<String, String> {
    UnclosableProducer() {
      super(true, new StringSerializer(), new StringSerializer());
    }

    @Override
    public void close(Duration timeout) {
      throw new IllegalStateException(MESSAGE);
    }
  }

  @Test
  void theSenderThreadsRetryWarningIsRedacted() throws Exception {
    FailingProducer producer = new FailingProducer();
    Spool spool = Spool.create(tmp, KafkaSink.destination(BOOTSTRAP, TOPIC), 64L << 20);
    try (LogCapture log = LogCapture.of(KafkaSink.class)) {
      KafkaSink sink = new KafkaSink(producer, sender(producer), spool, List.of());
      try {
        sink.accept(small(1));
        await(() -> !log.at("WARN").isEmpty(), "the sender's warning");
      } finally {
        sink.close(0);
      }

      assertRedacted(log, "WARN");
      assertTrue(log.at("WARN").get(0).text().contains("java.lang.LinkageError: cannot reach jdbc:postgresql://etl:"
          + Redactor.MASK + "@db/x"), log.lines().toString());
    }
  }

  @Test
  void theSpoolWriteErrorIsRedacted() throws Exception {
    MockProducer<String, String> producer = SpoolSenderTest.producer(true);
    Spool spool = Spool.create(tmp.resolve("tenant-" + USER_SECRET), KafkaSink.destination(BOOTSTRAP, TOPIC),
        64L << 20);
    try (LogCapture log = LogCapture.of(KafkaSink.class)) {
      KafkaSink sink = new KafkaSink(producer, sender(producer), spool, List.of());
      try {
        spool.close();
        sink.accept(small(1));
      } finally {
        sink.close(0);
      }

      assertRedacted(log, "ERROR");
    }
  }

  @Test
  void theProducerCloseErrorIsRedacted() throws Exception {
    UnclosableProducer producer = new UnclosableProducer();
    Spool spool = Spool.create(tmp, KafkaSink.destination(BOOTSTRAP, TOPIC), 64L << 20);
    try (LogCapture log = LogCapture.of(KafkaSink.class)) {
      KafkaSink sink = new KafkaSink(producer, sender(producer), spool, List.of());
      sink.close(0);

      assertRedacted(log, "DEBUG");
    }
  }

  @Test
  void theErrorOpeningAnEarlierSpoolIsRedacted() throws Exception {
    Path base = tmp.resolve("tenant-" + USER_SECRET);
    String destination = KafkaSink.destination("127.0.0.1:1", TOPIC);
    Spool earlier = Spool.create(base, destination, 64L << 20);
    earlier.append(small(1));
    Path broken = earlier.directory();
    earlier.close();
    // A segment the next application cannot read: opening the spool fails with an error naming its path.
    Files.createDirectories(broken.resolve("00000000000000000099.seg"));
    Properties producerProperties = new Properties();
    producerProperties.put("bootstrap.servers", "127.0.0.1:1");
    producerProperties.put("key.serializer", StringSerializer.class.getName());
    producerProperties.put("value.serializer", StringSerializer.class.getName());
    producerProperties.put("max.block.ms", "100");

    try (LogCapture log = LogCapture.of("io.github.sparkatlas.delivery.spool.SpoolAdoption")) {
      KafkaSink sink = KafkaSink.open(producerProperties, TOPIC,
          new NotificationEncoder(1_000_000, true, "10.0.0.1", "spark-atlas-agent", "test"), REDACTOR,
          new SpoolSettings(base, null, 64L << 20, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2));
      sink.close(0);

      assertRedacted(log, "WARN");
      assertTrue(log.allText().contains("cannot open the earlier spool"), log.lines().toString());
    }
  }

  @Test
  void theFileSinkWriteErrorIsRedacted() throws Exception {
    // The directory is a file, so the sink cannot create its folder: the error names the path.
    Path directory = Files.createFile(tmp.resolve("lineage-" + USER_SECRET + "-password=" + PASSWORD));
    FileSink sink = new FileSink(directory, new NotificationEncoder(1_000_000, true, "10.0.0.1",
        "spark-atlas-agent", "test"), REDACTOR);

    try (LogCapture log = LogCapture.of(FileSink.class)) {
      sink.accept(small(1));

      assertRedacted(log, "ERROR");
      assertEquals(1, log.at("ERROR").size());
    }
  }
}

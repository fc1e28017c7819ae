package io.github.sparkatlas.delivery;

import static io.github.sparkatlas.delivery.SpoolSenderTest.BOOTSTRAP;
import static io.github.sparkatlas.delivery.SpoolSenderTest.TOPIC;
import static io.github.sparkatlas.delivery.SpoolSenderTest.assertDelivers;
import static io.github.sparkatlas.delivery.SpoolSenderTest.envelopes;
import static io.github.sparkatlas.delivery.SpoolSenderTest.large;
import static io.github.sparkatlas.delivery.SpoolSenderTest.producer;
import static io.github.sparkatlas.delivery.SpoolSenderTest.sender;
import static io.github.sparkatlas.delivery.SpoolSenderTest.small;
import static io.github.sparkatlas.delivery.SpoolSenderTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.message.OutboundMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSinkTest {
  private static final String DESTINATION = KafkaSink.destination(BOOTSTRAP, TOPIC);
  private static final long MAX_BYTES = 64L << 20;

  @TempDir
  Path base;

  private final List<KafkaSink> sinks = new ArrayList<>();
  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @AfterEach
  void closeAll() {
    background.shutdownNow();
    for (KafkaSink sink : sinks) {
      sink.close(0);
    }
  }

  private KafkaSink sink(MockProducer<String, String> producer, Spool spool, List<Spool> adopted) {
    KafkaSink sink = new KafkaSink(producer, sender(producer), spool, adopted);
    sinks.add(sink);
    return sink;
  }

  private Spool ownSpool() throws IOException {
    return Spool.create(base, DESTINATION, MAX_BYTES);
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

  @Test
  void acceptedMessagesAreSentByTheSenderThreadAndLeaveTheSpool() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), large(2), small(3));
    MockProducer<String, String> producer = producer(true);
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());

    notifications.forEach(sink::accept);

    assertTrue(sink.flush(10_000));
    assertEquals(0, spool.pending());
    assertDelivers(notifications, values(producer.history()));
    DeliveryStats stats = sink.stats();
    assertEquals(3, stats.sent());
    assertEquals(0, stats.spooled());
    assertEquals(0, stats.replayed());
    assertEquals(0, stats.failedAttempts());
    assertFalse(sink.failing());

    sink.close(1_000);
    assertFalse(Files.exists(sink.spoolDirectory()), "a fully delivered spool is removed at close");
  }

  @Test
  void flushGivesUpAtOnceWhenASendFailsWhileItWaits() throws Exception {
    MockProducer<String, String> producer = producer(false);
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());
    sink.accept(small(1));
    await(() -> producer.history().size() == 1, "the record handed to the producer");

    long started = System.nanoTime();
    Future<Boolean> flush = background.submit(() -> sink.flush(60_000));
    Thread.sleep(100);
    assertFalse(flush.isDone(), "waits while Kafka has not answered");
    producer.errorNext(new TimeoutException("Expiring 1 record(s) for ATLAS_HOOK-0: 120000 ms has passed"));

    assertFalse(flush.get(10, TimeUnit.SECONDS));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(tookMillis < 5_000, "returned after " + tookMillis + " ms of a 60 s deadline");
    assertEquals(1, spool.pending());
    assertTrue(sink.stats().failedAttempts() >= 1);
    assertEquals(1, sink.stats().spooled());
  }

  @Test
  void flushReturnsPromptlyWhenTheBrokerKeepsRefusing() throws Exception {
    MockProducer<String, String> producer = producer(true);
    producer.sendException = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.");
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());
    sink.accept(small(1));
    await(sink::failing, "the first failed attempt");

    long started = System.nanoTime();
    assertFalse(sink.flush(60_000));

    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(tookMillis < 5_000, "returned after " + tookMillis + " ms of a 60 s deadline");
    assertEquals(1, spool.pending());
  }

  /**
   * Like KafkaProducer with a wrong password: the first send fails at once with the broker's answer; later sends
   * find no fresh answer and wait for metadata until the producer is closed (max.block.ms in real life).
   */
  static final class RefusingProducer extends MockProducer<String, String> {
    final AtomicInteger sendCalls = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Duration closeTimeout;

    RefusingProducer() {
      super(true, new StringSerializer(), new StringSerializer());
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
      if (sendCalls.incrementAndGet() == 1) {
        throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
      }
      try {
        if (!closed.await(60, TimeUnit.SECONDS)) {
          throw new TimeoutException("Topic ATLAS_HOOK not present in metadata after 60000 ms.");
        }
      } catch (InterruptedException e) {
        throw new InterruptException(e);
      }
      throw new KafkaException("Requested metadata update after close");
    }

    @Override
    public void close(Duration timeout) {
      closeTimeout = timeout;
      closed.countDown();
      super.close(timeout);
    }
  }

  @Test
  void flushDoesNotWaitForADestinationKnownToRefuse() throws Exception {
    RefusingProducer producer = new RefusingProducer();
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());
    sink.accept(small(1));
    await(sink::refusing, "the refusal");

    long started = System.nanoTime();
    assertFalse(sink.flush(60_000));
    assertFalse(sink.flush(60_000));

    // Waiting for another attempt would take until the producer gives up on metadata (60 s here).
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(tookMillis < 1_000, "two flushes took " + tookMillis + " ms");
    assertEquals(1, spool.pending());
  }

  @Test
  void closeDoesNotWaitForTheProducerOfADestinationKnownToRefuse() throws Exception {
    RefusingProducer producer = new RefusingProducer();
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());
    sink.accept(small(1));
    // the retry after the first back-off (0.5 s) now waits for metadata, as a real producer does
    await(() -> producer.sendCalls.get() == 2, "the sender waiting in its next attempt");

    long started = System.nanoTime();
    sink.close(10_000);

    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertEquals(Duration.ZERO, producer.closeTimeout, "the producer is closed without a grace period");
    assertTrue(tookMillis < 1_500, "close took " + tookMillis + " ms");
    try (Spool reopened = Spool.open(sink.spoolDirectory(), MAX_BYTES)) {
      assertEquals(1, reopened.pending(), "the message stays in the spool");
    }
  }

  @Test
  void spoolsOfEarlierApplicationsAreSentFirstMarkedSpooledAndCountedAsReplayed() throws Exception {
    List<OutboundMessage> earlier = List.of(small(1), large(2));
    Path orphanDir;
    try (Spool orphan = Spool.create(base, DESTINATION, MAX_BYTES)) {
      orphanDir = orphan.directory();
      for (OutboundMessage notification : earlier) {
        orphan.append(notification);
      }
    }
    Spool adopted = Spool.open(orphanDir, MAX_BYTES);
    MockProducer<String, String> producer = producer(true);
    Spool spool = ownSpool();
    OutboundMessage own = small(3);
    spool.append(own);

    KafkaSink sink = sink(producer, spool, List.of(adopted));
    sink.accept(small(4));

    assertTrue(sink.flush(10_000));
    await(() -> !Files.exists(orphanDir), "the delivered orphan spool to be removed");
    List<String> values = values(producer.history());
    assertDelivers(List.of(earlier.get(0), earlier.get(1), own, small(4)), values);
    List<JsonNode> envelopes = envelopes(values);
    assertTrue(envelopes.get(0).path("spooled").asBoolean(false));
    assertTrue(envelopes.get(1).path("spooled").asBoolean(false));
    assertFalse(envelopes.get(2).path("spooled").asBoolean(true));
    assertFalse(envelopes.get(3).path("spooled").asBoolean(true));
    DeliveryStats stats = sink.stats();
    assertEquals(2, stats.replayed());
    assertEquals(4, stats.sent());
    assertEquals(0, stats.spooled());
  }

  @Test
  void closeKeepsWhatKafkaHasNotAcknowledgedOnDisk() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), large(2));
    MockProducer<String, String> producer = producer(false);
    Spool spool = ownSpool();
    KafkaSink sink = sink(producer, spool, List.of());
    notifications.forEach(sink::accept);
    await(() -> !producer.history().isEmpty(), "records handed to the producer");

    sink.close(500);

    assertTrue(producer.closed());
    Path dir = sink.spoolDirectory();
    assertTrue(Files.isDirectory(dir));
    try (Spool reopened = Spool.open(dir, MAX_BYTES)) {
      List<SpoolEntry> entries = reopened.read(0, 10, Long.MAX_VALUE);
      assertEquals(2, entries.size());
      assertEquals(notifications.get(0).body(), entries.get(0).notification().body());
      assertEquals(notifications.get(1).body(), entries.get(1).notification().body());
    }
  }

  @Test
  void statsCountRejectedAndFailedAttemptsAndWhatIsStillSpooled() throws Exception {
    MockProducer<String, String> producer = producer(false);
    Spool spool = ownSpool();
    // in the spool before the sender starts, so that they go in one batch
    spool.append(small(1));
    spool.append(small(2));
    KafkaSink sink = sink(producer, spool, List.of());
    await(() -> producer.history().size() == 2, "both records handed to the producer");
    assertEquals(2, sink.stats().spooled());

    producer.errorNext(new RecordTooLargeException("too large"));
    producer.completeNext();
    await(() -> spool.pending() == 0, "both entries done");
    sink.accept(small(3));
    await(() -> producer.history().size() == 3, "the third record handed to the producer");
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    // the attempt is counted just before the sender thread marks itself failing
    await(() -> sink.stats().failedAttempts() == 1 && sink.failing(), "the failed attempt counted");

    DeliveryStats stats = sink.stats();
    assertEquals(1, stats.rejected());
    assertEquals(1, stats.sent());
    assertEquals(1, stats.spooled());
    assertEquals(0, stats.droppedMessages());
  }
}

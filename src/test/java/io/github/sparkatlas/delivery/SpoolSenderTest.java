package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.message.TestNotifications;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.LogCapture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolSenderTest {
  static final String TOPIC = "ATLAS_HOOK";
  static final String BOOTSTRAP = "broker-1:9093";
  /** Small enough that a message with a few KB of plan text is split into parts. */
  static final int MAX_LENGTH = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path base;

  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopBackground() {
    background.shutdownNow();
  }

  // ------------------------------------------------------------------------------------------ helpers

  static MockProducer<String, String> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, new StringSerializer(), new StringSerializer());
  }

  static SpoolSender sender(org.apache.kafka.clients.producer.Producer<String, String> producer) {
    return new SpoolSender(producer, TOPIC, BOOTSTRAP,
        new NotificationEncoder(MAX_LENGTH, true, "10.0.0.1", "spark-atlas-agent", "test"), Redactor.defaults(),
        30_000);
  }

  private Spool spoolWith(List<OutboundMessage> notifications) throws IOException {
    Spool spool = Spool.create(base, KafkaSink.destination(BOOTSTRAP, TOPIC), 64L << 20);
    for (OutboundMessage notification : notifications) {
      spool.append(notification);
    }
    return spool;
  }

  static OutboundMessage small(int n) {
    return TestNotifications.of(n, "Project [id#" + n + "]");
  }

  /** A message whose plan text makes it several records at {@link #MAX_LENGTH}. */
  static OutboundMessage large(int n) {
    return TestNotifications.of(n, TestNotifications.incompressiblePlan(12_000, n));
  }

  static List<String> values(List<ProducerRecord<String, String>> records) {
    return records.stream().map(ProducerRecord::value).collect(Collectors.toList());
  }

  /** Decodes record values as Atlas's consumer does and checks that exactly these messages come out, in order. */
  static void assertDelivers(List<OutboundMessage> expected, List<String> values) throws IOException {
    List<JsonNode> decoded = AtlasHookDecoder.decodeAll(values);
    assertEquals(expected.size(), decoded.size(), "messages decoded");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(JSON.readTree(expected.get(i).body()), decoded.get(i), "message " + i);
    }
  }

  /** The full envelope of every message, whether it was sent as one record or compressed and split. */
  static List<JsonNode> envelopes(List<String> values) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    Map<String, StringBuilder> parts = new LinkedHashMap<>();
    for (String value : values) {
      JsonNode record = AtlasHookDecoder.envelopeOf(value);
      if (!record.path("message").isTextual()) {
        out.add(record);
        continue;
      }
      String id = record.path("msgId").asText();
      parts.computeIfAbsent(id, k -> new StringBuilder()).append(record.path("message").asText());
      if (record.path("msgSplitIdx").asInt() + 1 >= record.path("msgSplitCount").asInt(1)) {
        byte[] bytes = Base64.getDecoder().decode(parts.remove(id).toString());
        if ("GZIP".equals(record.path("msgCompressionKind").asText())) {
          try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            bytes = in.readAllBytes();
          }
        }
        out.add(JSON.readTree(bytes));
      }
    }
    return out;
  }

  private static void awaitRecords(MockProducer<String, String> producer, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (producer.history().size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("producer got " + producer.history().size() + " of " + count + " records");
      }
      Thread.sleep(5);
    }
  }

  /** A producer that throws from send() itself, as KafkaProducer does when it has no metadata in max.block.ms. */
  static final class ThrowingProducer extends MockProducer<String, String> {
    final AtomicInteger sendCalls = new AtomicInteger();
    volatile int failAtCall = -1;
    volatile RuntimeException failure;

    ThrowingProducer() {
      super(true, new StringSerializer(), new StringSerializer());
    }

    @Override
    public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, String> record,
        Callback callback) {
      if (sendCalls.incrementAndGet() == failAtCall) {
        throw failure;
      }
      return super.send(record, callback);
    }
  }

  // ------------------------------------------------------------------------------------------ order and acks

  @Test
  void sendsEveryEntryInOrderAndEveryPartCarriesTheProcessAsKey() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), large(2), small(3), large(4));
    MockProducer<String, String> producer = producer(true);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(notifications);

    assertTrue(sender.sendPending(spool, false));

    List<ProducerRecord<String, String>> records = producer.history();
    assertTrue(records.size() > 6, "the large messages were split: " + records.size() + " records");
    for (ProducerRecord<String, String> record : records) {
      assertEquals(TOPIC, record.topic());
      assertEquals(TestNotifications.KEY, record.key(), "every part goes to the application's partition");
    }
    assertDelivers(notifications, values(records));
    assertEquals(4, spool.acked());
    assertEquals(0, spool.pending());
    assertEquals(4, sender.sent());
    assertEquals(0, sender.failures());
    assertTrue(sender.sendPending(spool, false), "nothing left: true at once");
    assertEquals(records.size(), producer.history().size(), "nothing sent twice");
    spool.close();
  }

  @Test
  void envelopesSayWhetherTheMessageWasSpooled() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), large(2));
    MockProducer<String, String> live = producer(true);
    MockProducer<String, String> late = producer(true);

    sender(live).sendPending(spoolWith(notifications), false);
    sender(late).sendPending(spoolWith(notifications), true);

    List<JsonNode> liveEnvelopes = envelopes(values(live.history()));
    List<JsonNode> lateEnvelopes = envelopes(values(late.history()));
    assertEquals(2, liveEnvelopes.size());
    assertEquals(2, lateEnvelopes.size());
    for (int i = 0; i < 2; i++) {
      assertFalse(liveEnvelopes.get(i).path("spooled").asBoolean(true), liveEnvelopes.get(i).toString());
      assertTrue(lateEnvelopes.get(i).path("spooled").asBoolean(false), lateEnvelopes.get(i).toString());
      assertEquals(TestNotifications.CREATED + i + 1, lateEnvelopes.get(i).path("msgCreationTime").asLong(),
          "a late message keeps the time it was captured");
    }
  }

  @Test
  void entriesAreAcknowledgedOnlyAfterTheProducerCallsBack() throws Exception {
    MockProducer<String, String> producer = producer(false);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(List.of(small(1), small(2), small(3)));

    Future<Boolean> sending = background.submit(() -> sender.sendPending(spool, false));
    awaitRecords(producer, 3);
    assertEquals(0, spool.acked(), "handed to the producer is not delivered");
    producer.completeNext();
    producer.completeNext();
    assertEquals(0, spool.acked());
    assertFalse(sending.isDone());
    producer.completeNext();

    assertTrue(sending.get(10, TimeUnit.SECONDS));
    assertEquals(3, spool.acked());
    assertEquals(3, sender.sent());
  }

  // ------------------------------------------------------------------------------------------ failures

  @Test
  void failedRecordLeavesItsEntryAndLaterOnesPendingAndTheNextAttemptResumesThere() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), small(2), small(3));
    MockProducer<String, String> producer = producer(false);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(notifications);

    Future<Boolean> first = background.submit(() -> sender.sendPending(spool, false));
    awaitRecords(producer, 3);
    producer.completeNext();
    producer.errorNext(new NetworkException("Disconnected from node 1"));
    producer.completeNext();

    assertFalse(first.get(10, TimeUnit.SECONDS));
    assertEquals(1, spool.acked(), "only the entry before the failure is done");
    assertEquals(2, spool.pending());
    assertEquals(1, sender.sent());
    assertEquals(1, sender.failures());
    assertTrue(sender.lastProblem().contains("NetworkException"), sender.lastProblem());

    Future<Boolean> second = background.submit(() -> sender.sendPending(spool, false));
    awaitRecords(producer, 5);
    producer.completeNext();
    producer.completeNext();

    assertTrue(second.get(10, TimeUnit.SECONDS));
    assertDelivers(notifications.subList(1, 3), values(producer.history().subList(3, 5)));
    assertEquals(3, spool.acked());
    assertEquals(3, sender.sent());
  }

  @Test
  void recordTooLargeForTheBrokerGoesToTheDeadLetterFileAndTheRestIsDelivered() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), small(2), small(3));
    MockProducer<String, String> producer = producer(false);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(notifications);

    Future<Boolean> sending = background.submit(() -> sender.sendPending(spool, false));
    awaitRecords(producer, 3);
    producer.completeNext();
    producer.errorNext(new RecordTooLargeException("The request included a message larger than the max message "
        + "size the server will accept."));
    producer.completeNext();

    assertTrue(sending.get(10, TimeUnit.SECONDS));
    assertEquals(0, spool.pending());
    assertEquals(1, sender.rejected());
    assertEquals(2, sender.sent());
    assertEquals(0, sender.failures(), "a rejected message is not retried");
    List<SpoolEntry> dead = spool.rejectedEntries();
    assertEquals(1, dead.size());
    assertEquals(2, dead.get(0).sequence());
    assertEquals(notifications.get(1).body(), dead.get(0).notification().body());
    assertTrue(sender.lastProblem().contains("larger than the broker accepts"), sender.lastProblem());
  }

  @Test
  void sendThatThrowsStopsTheBatchAtThatRecordAndALaterAttemptSendsTheRest() throws Exception {
    List<OutboundMessage> notifications = List.of(small(1), small(2), small(3));
    ThrowingProducer producer = new ThrowingProducer();
    producer.failAtCall = 2;
    producer.failure = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.");
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(notifications);

    assertFalse(sender.sendPending(spool, false));

    assertEquals(2, producer.sendCalls.get(), "no record after the one that threw was handed over");
    assertEquals(1, producer.history().size());
    assertEquals(1, spool.acked());
    assertEquals(2, spool.pending());
    assertTrue(sender.lastProblem().startsWith("no metadata for topic ATLAS_HOOK from " + BOOTSTRAP),
        sender.lastProblem());

    assertTrue(sender.sendPending(spool, false));
    assertDelivers(notifications, values(producer.history()));
    assertEquals(3, spool.acked());
  }

  @Test
  void eachKindOfProblemIsLoggedOnceAtErrorAndNeverWithASecret() throws Exception {
    MockProducer<String, String> producer = producer(true);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(List.of(small(1)));

    try (LogCapture log = LogCapture.of(SpoolSender.class)) {
      producer.sendException = new KafkaException("Failed to construct kafka producer: sasl.jaas.config "
          + "password=hunter2");
      assertFalse(sender.sendPending(spool, false));
      assertFalse(sender.sendPending(spool, false));
      assertFalse(sender.lastProblem().contains("hunter2"), sender.lastProblem());
      assertTrue(sender.lastProblem().contains(Redactor.MASK), sender.lastProblem());
      producer.sendException = new TopicAuthorizationException("Not authorized to access topics: [ATLAS_HOOK]");
      assertFalse(sender.sendPending(spool, false));
      assertFalse(sender.sendPending(spool, false));

      List<LogCapture.Line> errors = log.at("ERROR");
      assertEquals(2, errors.size(), "one line per kind: " + errors);
      assertTrue(errors.get(0).message.startsWith("spark-atlas-agent could not deliver lineage to Kafka: sending to "
          + BOOTSTRAP + " failed: KafkaException"), errors.get(0).message);
      assertTrue(errors.get(1).message.contains("not authorized to write topic ATLAS_HOOK"), errors.get(1).message);
      assertTrue(errors.get(1).message.endsWith("the messages are kept in the spool and sent when this is fixed"));
      assertFalse(log.allText().contains("hunter2"), log.allText());
    }
    assertEquals(4, sender.failures());
    assertEquals(1, spool.pending());
    producer.sendException = null;
    assertTrue(sender.sendPending(spool, false));
    assertEquals(0, spool.pending());
  }
}

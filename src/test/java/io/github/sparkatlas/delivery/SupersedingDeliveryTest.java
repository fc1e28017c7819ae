package io.github.sparkatlas.delivery;

import static io.github.sparkatlas.delivery.SpoolSenderTest.BOOTSTRAP;
import static io.github.sparkatlas.delivery.SpoolSenderTest.TOPIC;
import static io.github.sparkatlas.delivery.SpoolSenderTest.assertDelivers;
import static io.github.sparkatlas.delivery.SpoolSenderTest.producer;
import static io.github.sparkatlas.delivery.SpoolSenderTest.sender;
import static io.github.sparkatlas.delivery.SpoolSenderTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.TestNotifications;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the broker is down, a newer state of a process supersedes the older ones still waiting: after it comes
 * back only the newest is sent, in its place in the order, and messages that replace nothing are all sent.
 */
class SupersedingDeliveryTest {
  private static final String DESTINATION = KafkaSink.destination(BOOTSTRAP, TOPIC);
  private static final long MAX_BYTES = 64L << 20;
  private static final String KEY = TestNotifications.KEY;
  private static final String OTHER_KEY = "spark_process_of_another_application@cl1";

  @TempDir
  Path base;

  private final List<KafkaSink> sinks = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (KafkaSink sink : sinks) {
      sink.close(0);
    }
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** State {@code n} of a process: its whole lineage so far, so it replaces every earlier state of {@code key}. */
  private static OutboundMessage state(int n, String key) {
    return state(n, key, null);
  }

  private static OutboundMessage state(int n, String key, String planText) {
    OutboundMessage of = TestNotifications.of(n, planText);
    return new OutboundMessage(of.applicationId(), key, of.user(), of.createdAtMillis(), of.body(),
        of.hasPlanText(), true);
  }

  /** A message that replaces nothing (a DDL or a drop, say): always sent. */
  private static OutboundMessage change(int n, String key) {
    OutboundMessage of = TestNotifications.of(n, null);
    return new OutboundMessage(of.applicationId(), key, of.user(), of.createdAtMillis(), of.body(), false, false);
  }

  private static MockProducer<String, String> brokerDown() {
    MockProducer<String, String> producer = producer(true);
    producer.sendException = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.");
    return producer;
  }

  private KafkaSink sink(MockProducer<String, String> producer, Spool spool, List<Spool> adopted) {
    KafkaSink sink = new KafkaSink(producer, sender(producer), spool, adopted);
    sinks.add(sink);
    return sink;
  }

  private Spool spoolWith(long maxBytes, List<OutboundMessage> messages) throws IOException {
    Spool spool = Spool.create(base, DESTINATION, maxBytes);
    for (OutboundMessage message : messages) {
      spool.append(message);
    }
    return spool;
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

  /** What {@code kill -9} leaves: the files of a spool still open, copied as they are, lock file included. */
  private Path copyOfOpenSpool(Spool spool) throws IOException {
    Path copy = Files.createDirectories(base.resolve("killed").resolve(spool.directory().getFileName()));
    try (Stream<Path> files = Files.list(spool.directory())) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return copy;
  }

  // ------------------------------------------------------------------------------------------ the sink

  @Test
  void manyStatesOfOneProcessWhileTheBrokerIsDownSendOnlyTheNewestOnceItIsBack() throws Exception {
    MockProducer<String, String> producer = brokerDown();
    Spool spool = Spool.create(base, DESTINATION, MAX_BYTES);
    KafkaSink sink = sink(producer, spool, List.of());

    for (int n = 1; n <= 20; n++) {
      sink.accept(state(n, KEY));
    }
    await(sink::failing, "a failed attempt");
    DeliveryStats whileDown = sink.stats();
    assertEquals(1, whileDown.spooled(), "only the newest state is waiting to be sent");
    assertEquals(19, whileDown.superseded());
    assertEquals(0, whileDown.sent());

    producer.sendException = null;
    assertTrue(sink.flush(10_000));

    assertDelivers(List.of(state(20, KEY)), values(producer.history()));
    DeliveryStats after = sink.stats();
    assertEquals(1, after.sent());
    assertEquals(0, after.spooled());
    assertEquals(19, after.superseded(), "each superseded state counted once");
    assertEquals(0, after.droppedMessages(), "superseded is not a loss");
    sink.close(1_000);
    assertFalse(Files.exists(sink.spoolDirectory()), "a spool with only superseded entries left is done");
  }

  @Test
  void withTheBrokerUpEveryStateIsSentAsItComes() throws Exception {
    MockProducer<String, String> producer = producer(true);
    Spool spool = Spool.create(base, DESTINATION, MAX_BYTES);
    KafkaSink sink = sink(producer, spool, List.of());
    List<OutboundMessage> states = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      states.add(state(n, KEY));
      sink.accept(states.get(n - 1));
      assertTrue(sink.flush(10_000));
    }
    assertDelivers(states, values(producer.history()));
    assertEquals(0, sink.stats().superseded());
  }

  // ------------------------------------------------------------------------------------------ the sender

  @Test
  void aMessageThatReplacesNothingBetweenTwoStatesIsStillSentInOrder() throws Exception {
    MockProducer<String, String> producer = brokerDown();
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(MAX_BYTES, List.of(state(1, KEY), change(2, KEY), state(3, KEY), change(4, KEY),
        state(5, KEY)));
    assertFalse(sender.sendPending(spool, false));

    producer.sendException = null;
    assertTrue(sender.sendPending(spool, false));

    assertDelivers(List.of(change(2, KEY), change(4, KEY), state(5, KEY)), values(producer.history()));
    assertEquals(3, sender.sent());
    assertEquals(2, sender.superseded());
    assertEquals(5, spool.acked());
    spool.close();
  }

  @Test
  void statesOfTwoProcessesInterleavedEachSupersedeOnlyTheirOwn() throws Exception {
    MockProducer<String, String> producer = brokerDown();
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(MAX_BYTES, List.of(state(1, KEY), state(2, OTHER_KEY), state(3, KEY),
        state(4, OTHER_KEY), state(5, KEY), state(6, OTHER_KEY), state(7, KEY)));
    assertFalse(sender.sendPending(spool, false));

    producer.sendException = null;
    assertTrue(sender.sendPending(spool, false));

    assertDelivers(List.of(state(6, OTHER_KEY), state(7, KEY)), values(producer.history()));
    assertEquals(5, sender.superseded());
    spool.close();
  }

  @Test
  void aStateSupersededWhileItsBatchIsBeingSentIsSentAnywayAndCountedAsSent() throws Exception {
    MockProducer<String, String> producer = producer(false);
    SpoolSender sender = sender(producer);
    Spool spool = spoolWith(MAX_BYTES, List.of(state(1, KEY)));
    Thread sending = new Thread(() -> {
      try {
        sender.sendPending(spool, false);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    sending.start();
    await(() -> producer.history().size() == 1, "state 1 handed to the producer");
    spool.append(state(2, KEY));
    producer.completeNext();
    sending.join(10_000);

    // state 1 was on its way already: at least once, it counts as sent, not superseded
    assertEquals(1, sender.sent());
    assertEquals(0, sender.superseded());
    assertEquals(1, spool.pending());
    assertEquals(0, spool.supersededPending());
    spool.close();
  }

  // ------------------------------------------------------------------------------------------ kill -9

  @Test
  void aSpoolLeftByAKilledDriverIsAdoptedAndStillSendsOnlyTheNewestStates() throws Exception {
    // the killed application: the broker was down, its spool full of states, some of them reclaimed already
    List<OutboundMessage> killedApp = new ArrayList<>();
    for (int n = 1; n <= 40; n++) {
      killedApp.add(n % 8 == 0 ? change(n, OTHER_KEY)
          : state(n, n % 2 == 0 ? KEY : OTHER_KEY, TestNotifications.incompressiblePlan(12_000, n)));
    }
    long quota = 256 * 1024;
    Path killed;
    try (Spool spool = spoolWith(quota, killedApp)) {
      assertEquals(0, spool.droppedMessages());
      assertEquals(0, spool.droppedPlanTexts());
      killed = copyOfOpenSpool(spool);
    }

    MockProducer<String, String> producer = producer(true);
    Spool adopted = Spool.open(killed, quota);
    Spool own = Spool.create(base, DESTINATION, MAX_BYTES);
    KafkaSink sink = sink(producer, own, List.of(adopted));
    sink.accept(state(41, "spark_process_of_the_new_application@cl1"));
    assertTrue(sink.flush(10_000));

    // 8, 16, 24, 32, 40 replace nothing; 38 and 39 are the newest states of their keys
    assertDelivers(List.of(killedApp.get(7), killedApp.get(15), killedApp.get(23), killedApp.get(31),
        killedApp.get(37), killedApp.get(38), killedApp.get(39),
        state(41, "spark_process_of_the_new_application@cl1")), values(producer.history()));
    DeliveryStats stats = sink.stats();
    assertEquals(7, stats.replayed());
    assertEquals(8, stats.sent());
    assertEquals(33, stats.superseded());
    assertEquals(0, stats.spooled());
  }

  @Test
  void aSpoolClosedWithoutAcknowledgementAndReopenedSendsOnlyTheNewestState() throws Exception {
    MockProducer<String, String> producer = brokerDown();
    Spool spool = Spool.create(base, DESTINATION, MAX_BYTES);
    KafkaSink sink = sink(producer, spool, List.of());
    for (int n = 1; n <= 5; n++) {
      sink.accept(state(n, KEY));
    }
    sink.accept(change(6, KEY));
    sink.accept(state(7, KEY));
    await(sink::failing, "a failed attempt");
    sink.close(0);
    // the sender may have acknowledged a few superseded states already, in their turn before a failed one
    assertEquals(5, sink.stats().superseded());
    assertEquals(2, sink.stats().spooled());

    MockProducer<String, String> back = producer(true);
    SpoolSender sender = sender(back);
    long waiting;
    try (Spool reopened = Spool.open(sink.spoolDirectory(), MAX_BYTES)) {
      assertEquals(2, reopened.pending());
      waiting = reopened.supersededPending();
      assertTrue(sender.sendPending(reopened, true));
    }
    assertDelivers(List.of(change(6, KEY), state(7, KEY)), values(back.history()));
    assertEquals(waiting, sender.superseded());
    assertFalse(Files.exists(sink.spoolDirectory()));
  }
}

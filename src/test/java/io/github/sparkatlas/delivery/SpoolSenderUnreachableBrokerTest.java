package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real producer against a port nothing listens on: what the sender meets while the broker is down. */
class SpoolSenderUnreachableBrokerTest {
  private static final NotificationEncoder ENCODER =
      new NotificationEncoder(900_000, true, "127.0.0.1", "spark-atlas-agent", "test");
  private static final long MAX_BLOCK_MS = 1_000;

  @TempDir
  Path dir;

  @Test
  void anAttemptEndsAtTheFirstRecordWithoutMetadataInsteadOfWaitingMaxBlockForEveryEntry() throws Exception {
    String bootstrap = "127.0.0.1:" + closedPort();
    int entries = 4;
    try (Spool spool = Spool.create(dir, KafkaSink.destination(bootstrap, "ATLAS_HOOK"), 1 << 20)) {
      for (int i = 0; i < entries; i++) {
        spool.append(new OutboundMessage("app-1", "app-1@ns", "user", 1_700_000_000_000L,
            "{\"type\":\"ENTITY_CREATE_V2\",\"user\":\"user\",\"n\":" + i + "}", false));
      }
      Properties properties = ProducerSettings.of(
          Map.of("bootstrap.servers", bootstrap, "max.block.ms", Long.toString(MAX_BLOCK_MS)), 1_000_000);
      try (Producer<String, String> producer = KafkaSink.createProducer(properties)) {
        SpoolSender sender = new SpoolSender(producer, "ATLAS_HOOK", bootstrap, ENCODER, Redactor.defaults(), 30_000);

        long start = System.nanoTime();
        boolean delivered = sender.sendPending(spool, false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertFalse(delivered);
        // Kafka reports "not present in metadata" through the callback, not by throwing; an attempt that still
        // sent the other entries would take entries x max.block.ms, and the flush at application end, which
        // waits for a failed attempt, would always run into its deadline.
        assertTrue(millis < MAX_BLOCK_MS * 2 + 500, "one attempt took " + millis + " ms for " + entries
            + " entries with max.block.ms=" + MAX_BLOCK_MS);
        assertEquals(1, sender.failures());
        assertEquals(0, sender.sent());
        assertEquals(entries, spool.pending(), "everything stays in the spool");
        assertTrue(sender.lastProblem().contains("no metadata for topic ATLAS_HOOK"), sender.lastProblem());
      }
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

package io.github.sparkatlas.delivery;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import io.github.sparkatlas.message.EncodedMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a spool's entries to Kafka in their order and acknowledges an entry in the spool only when the
 * producer's callback has confirmed every record of it. A superseded entry (a later one of the same key, still to be
 * sent, holds it whole) is acknowledged in its turn without being sent. Used by the agent's sender thread and by
 * the replay command alike.
 */
public final class SpoolSender {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolSender.class);
  private static final int BATCH_ENTRIES = 64;
  private static final long BATCH_BYTES = 8L * 1024 * 1024;

  private final Producer<String, String> producer;
  private final String topic;
  private final String bootstrap;
  private final NotificationEncoder encoder;
  private final Redactor redactor;
  /** Bounds the wait for callbacks should the producer ever fail to call back (it is bounded by delivery.timeout.ms). */
  private final long callbackWaitMillis;
  private final Set<String> reportedProblems = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong superseded = new AtomicLong();
  private volatile String lastProblem;
  /** Set by a refusal, cleared only by an acknowledgement: a later attempt that gets no answer at all says nothing. */
  private volatile boolean refused;
  private volatile boolean stopping;

  public SpoolSender(Producer<String, String> producer, String topic, String bootstrap, NotificationEncoder encoder,
      Redactor redactor, long callbackWaitMillis) {
    this.producer = producer;
    this.topic = topic;
    this.bootstrap = bootstrap;
    this.encoder = encoder;
    this.redactor = redactor;
    this.callbackWaitMillis = callbackWaitMillis;
  }

  /**
   * Sends everything pending in {@code spool}, in order.
   *
   * @param spooled marks the envelopes as sent late (Atlas's {@code spooled} flag)
   * @return true when nothing is left pending, false at the first failure (the rest stays in the spool)
   */
  public boolean sendPending(Spool spool, boolean spooled) throws IOException, InterruptedException {
    long position = spool.acked();
    while (true) {
      List<SpoolEntry> batch = spool.read(position, BATCH_ENTRIES, BATCH_BYTES);
      if (batch.isEmpty()) {
        return true;
      }
      List<SpoolEntry> toSend = new ArrayList<>(batch.size());
      for (SpoolEntry entry : batch) {
        if (!entry.superseded()) {
          toSend.add(entry);
        }
      }
      Throwable[] outcome = send(toSend, spooled);
      long ackThrough = -1;
      int sentIndex = 0;
      // Counted once acknowledged, not when met: a batch that fails before one reads it again.
      int skipped = 0;
      for (SpoolEntry entry : batch) {
        if (entry.superseded()) {
          ackThrough = entry.sequence();
          skipped++;
          continue;
        }
        Throwable error = outcome[sentIndex++];
        if (error == null) {
          ackThrough = entry.sequence();
          sent.incrementAndGet();
          refused = false;
        } else if (isTooLarge(error)) {
          report(error);
          spool.reject(entry);
          rejected.incrementAndGet();
          ackThrough = entry.sequence();
        } else {
          if (ackThrough > 0) {
            spool.ack(ackThrough, skipped);
            superseded.addAndGet(skipped);
          }
          failures.incrementAndGet();
          report(error);
          return false;
        }
      }
      spool.ack(ackThrough, skipped);
      superseded.addAndGet(skipped);
      position = ackThrough;
    }
  }

  /** Sends entries that are not in a spool's order (the dead-letter file); true when all were acknowledged. */
  public boolean sendAll(List<SpoolEntry> entries, boolean spooled) throws InterruptedException {
    for (int start = 0; start < entries.size(); start += BATCH_ENTRIES) {
      List<SpoolEntry> batch = entries.subList(start, Math.min(entries.size(), start + BATCH_ENTRIES));
      Throwable[] outcome = send(batch, spooled);
      for (Throwable error : outcome) {
        if (error != null) {
          failures.incrementAndGet();
          report(error);
          return false;
        }
        sent.incrementAndGet();
        refused = false;
      }
    }
    return true;
  }

  /**
   * Hands every record of the batch to the producer and waits for all callbacks.
   *
   * @return per entry, null when all its records were acknowledged, else the first error
   */
  private Throwable[] send(List<SpoolEntry> batch, boolean spooled) throws InterruptedException {
    int entries = batch.size();
    EncodedMessage[] messages = new EncodedMessage[entries];
    int records = 0;
    AtomicReferenceArray<Throwable> errors = new AtomicReferenceArray<>(entries);
    for (int i = 0; i < entries; i++) {
      try {
        messages[i] = encoder.encode(batch.get(i).notification(), spooled);
        records += messages[i].records().size();
      } catch (RuntimeException e) {
        // Retrying cannot help a message that cannot be encoded; it goes to the dead-letter file, not in the way.
        errors.set(i, new Unsendable(e));
      }
    }
    CountDownLatch done = new CountDownLatch(records);
    boolean stopped = false;
    for (int i = 0; i < entries; i++) {
      if (messages[i] == null) {
        continue;
      }
      for (String value : messages[i].records()) {
        if (stopped) {
          errors.compareAndSet(i, null, new IllegalStateException("not sent: an earlier record failed"));
          done.countDown();
          continue;
        }
        final int index = i;
        try {
          producer.send(new ProducerRecord<>(topic, messages[i].key(), value), (metadata, error) -> {
            if (error != null) {
              errors.compareAndSet(index, null, error);
            }
            done.countDown();
          });
          // Kafka reports most failures before queueing (no metadata within max.block.ms) through the callback,
          // on this thread, before send returns: the same case as the exception below.
          Throwable early = errors.get(i);
          if (early != null && !isTooLarge(early)) {
            stopped = true;
          }
        } catch (RuntimeException e) {
          // A failure before the record was queued (no metadata within max.block.ms, producer closed): the
          // following records would wait just as long, so the batch stops here and is retried as a whole.
          errors.compareAndSet(i, null, e);
          done.countDown();
          stopped = !isTooLarge(e);
        }
      }
    }
    if (!done.await(callbackWaitMillis, TimeUnit.MILLISECONDS)) {
      for (int i = 0; i < entries; i++) {
        errors.compareAndSet(i, null, new IllegalStateException("no acknowledgement from Kafka within "
            + callbackWaitMillis + " ms"));
      }
    }
    Throwable[] outcome = new Throwable[entries];
    for (int i = 0; i < entries; i++) {
      outcome[i] = errors.get(i);
    }
    return outcome;
  }

  /** A message that can never be sent as it is. */
  static final class Unsendable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsendable(Throwable cause) {
      super("cannot encode a spooled message: " + cause, cause);
    }
  }

  private static boolean isTooLarge(Throwable error) {
    if (error instanceof Unsendable) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
        return true;
      }
    }
    return false;
  }

  static boolean isInterruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof InterruptException) {
        return true;
      }
    }
    return false;
  }

  /** From now on failures are the agent's own shutdown closing the producer, not problems to report. */
  public void stopping() {
    stopping = true;
  }

  private void report(Throwable error) {
    DeliveryProblem problem = DeliveryProblem.of(error, topic, bootstrap);
    String advice = redactor.redact(problem.advice);
    if (stopping || isInterruption(error)) {
      return;
    }
    lastProblem = advice;
    if (problem.refusal) {
      refused = true;
    }
    // After a failed login the client gets no metadata either; that second line would only mislead.
    boolean consequence = problem.kind.equals("metadata")
        && (reportedProblems.contains("sasl") || reportedProblems.contains("ssl"));
    if (!consequence && reportedProblems.add(problem.kind)) {
      LOG.error("spark-atlas-agent could not deliver lineage to Kafka: {}; the messages are kept in the spool "
          + "and sent when this is fixed", advice);
    }
  }

  /** What the sink's own log lines are masked with: the same rules as everything else the agent logs. */
  Redactor redactor() {
    return redactor;
  }

  /** Entries acknowledged by Kafka so far. */
  public long sent() {
    return sent.get();
  }

  /** Attempts that failed and left entries pending. */
  public long failures() {
    return failures.get();
  }

  public long rejected() {
    return rejected.get();
  }

  /** Entries acknowledged without being sent, because a later entry of the same key, sent after them, holds them. */
  public long superseded() {
    return superseded.get();
  }

  /**
   * Whether the destination has refused what it was sent (credentials, certificate, authorization, no such topic)
   * and nothing got through since: waiting for it cannot help until someone fixes the configuration.
   */
  public boolean refused() {
    return refused;
  }

  /** The last problem, in words a user can act on, or null. */
  public String lastProblem() {
    return lastProblem;
  }
}

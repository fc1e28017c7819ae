package io.github.sparkatlas.delivery;

import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolBase;
import io.github.sparkatlas.delivery.spool.SpoolSettings;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka delivery through the spool: every notification is written to this application's spool first, then a
 * sender thread of its own sends the spool in order and acknowledges entries on the producer's callback. A slow
 * or unreachable broker therefore only makes the spool grow; it never holds up the agent thread, and a driver
 * killed at any moment leaves its undelivered messages on disk for the next application or the replay command.
 * While the broker is behind, a newer state of a process supersedes the older ones still waiting in the spool (see
 * {@link Spool}): they are acknowledged in their turn without being sent.
 */
public final class KafkaSink implements Sink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
  private static final long MIN_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Producer<String, String> producer;
  private final SpoolSender sender;
  private final Spool spool;
  /** Spools of earlier applications on this machine for the same destination, oldest first; sent before ours. */
  private final List<Spool> adopted;
  private final Thread thread;
  private final Object signal = new Object();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong appendFailures = new AtomicLong();
  /** Superseded entries of adopted spools sent completely (and so gone from {@link #adopted}); guarded by it. */
  private long supersededOfDeliveredSpools;
  private volatile boolean closed;
  private volatile boolean failing;
  /** Set by a flush to end a back-off early; new messages alone do not, or a refusing broker would be hammered. */
  private boolean flushRequested;
  private boolean appendErrorReported;

  KafkaSink(Producer<String, String> producer, SpoolSender sender, Spool spool, List<Spool> adopted) {
    this.producer = producer;
    this.sender = sender;
    this.spool = spool;
    this.adopted = new ArrayList<>(adopted);
    this.thread = new Thread(this::run, "spark-atlas-agent-sender");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Opens this application's spool (see {@link SpoolBase}: a trusted base, retention, the spools other
   * applications left there for the same destination), creates the producer and starts sending.
   */
  public static KafkaSink open(Properties producerProperties, String topic, NotificationEncoder encoder,
      Redactor redactor, SpoolSettings spoolSettings) throws IOException {
    String bootstrap = String.valueOf(producerProperties.get("bootstrap.servers"));
    SpoolBase spools = SpoolBase.open(spoolSettings, destination(bootstrap, topic), redactor);
    Spool spool = spools.own();
    List<Spool> adopted = spools.adopted();
    Producer<String, String> producer;
    try {
      producer = createProducer(producerProperties);
    } catch (RuntimeException | Error e) {
      spool.close();
      for (Spool other : adopted) {
        other.close();
      }
      throw e;
    }
    long callbackWait = Long.parseLong(String.valueOf(producerProperties.getOrDefault("delivery.timeout.ms",
        "120000"))) + 30_000;
    SpoolSender sender = new SpoolSender(producer, topic, bootstrap, encoder, redactor, callbackWait);
    return new KafkaSink(producer, sender, spool, adopted);
  }

  /** What a spool is for: only an application sending to the same place may send another one's spool. */
  public static String destination(String bootstrap, String topic) {
    return "bootstrap.servers=" + bootstrap + "\ntopic=" + topic + "\n";
  }

  /** A producer of the agent's relocated kafka-clients, able to load the login module users name. */
  public static Producer<String, String> createProducer(Properties properties) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // The JAAS login module is loaded through the context class loader: it must see our relocated classes.
    thread.setContextClassLoader(KafkaSink.class.getClassLoader());
    try {
      return new KafkaProducer<>(properties);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public void accept(OutboundMessage notification) {
    try {
      spool.append(notification);
    } catch (IOException | RuntimeException e) {
      appendFailures.incrementAndGet();
      if (!appendErrorReported) {
        appendErrorReported = true;
        LOG.error("spark-atlas-agent cannot write to its spool {} ({}); lineage that cannot be written is lost, "
            + "check the disk or set atlas.spark.spool.dir", redacted(spool.directory()), redacted(e));
      }
      return;
    }
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  @Override
  public void sync() {
    try {
      spool.sync();
    } catch (IOException e) {
      // The data is in the operating system's hands already; only a machine crash could lose it.
    }
  }

  /**
   * Waits until Kafka has acknowledged everything accepted so far. Gives up early when an attempt fails after
   * the wait began: the broker is unreachable or refusing, and waiting longer would only delay the driver. Does not
   * wait at all while the destination is known to refuse: the next attempt cannot succeed either.
   */
  @Override
  public boolean flush(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long target = spool.lastAppended();
    long failuresBefore = sender.failures();
    if (sender.refused() && (spool.acked() < target || !adoptedSnapshot().isEmpty())) {
      return false;
    }
    synchronized (signal) {
      // Cut a back-off short: the broker may be back, and this is the last chance before the driver exits.
      flushRequested = true;
      signal.notifyAll();
      while (spool.acked() < target || !adoptedSnapshot().isEmpty()) {
        if (sender.failures() > failuresBefore || closed) {
          return false;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          signal.wait(Math.min(left, 50));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public DeliveryStats stats() {
    long pending = spool.pending();
    long superseded = spool.superseded();
    long droppedPlanTexts = spool.droppedPlanTexts();
    List<Spool> adoptedNow;
    synchronized (adopted) {
      adoptedNow = new ArrayList<>(adopted);
      superseded += supersededOfDeliveredSpools;
    }
    for (Spool other : adoptedNow) {
      pending += safePending(other);
      superseded += safeSuperseded(other);
    }
    return new DeliveryStats(sender.sent(), pending, replayed.get(), spool.droppedMessages() + appendFailures.get(),
        droppedPlanTexts, sender.rejected(), sender.failures(), superseded);
  }

  private List<Spool> adoptedSnapshot() {
    synchronized (adopted) {
      return new ArrayList<>(adopted);
    }
  }

  private static long safePending(Spool spool) {
    try {
      return spool.pending();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static long safeSuperseded(Spool spool) {
    try {
      return spool.superseded();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  public Path spoolDirectory() {
    return spool.directory();
  }

  /** The directory of spools this application uses: the configured one, or the fallback when that was refused. */
  public Path spoolBase() {
    return spool.directory().getParent();
  }

  @Override
  public boolean refusing() {
    return sender.refused();
  }

  /** Whether the last attempt to send failed (the broker unreachable or refusing). */
  public boolean failing() {
    return failing;
  }

  @Override
  public void close(long timeoutMillis) {
    closed = true;
    sender.stopping();
    synchronized (signal) {
      signal.notifyAll();
    }
    // A destination that refuses will not take the records still in the producer within any wait: close at once,
    // which also wakes a send blocked for metadata (up to max.block.ms).
    long producerWait = sender.refused() ? 0 : Math.max(0, Math.min(timeoutMillis, 2_000));
    try {
      // Records still in the producer fail at once; they are in the spool, and stay there.
      producer.close(Duration.ofMillis(producerWait));
    } catch (RuntimeException e) {
      LOG.debug("closing the producer: {}", redacted(e));
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(spool);
    for (Spool other : adoptedSnapshot()) {
      closeQuietly(other);
    }
    long left = spool.pending();
    if (left > 0) {
      LOG.warn("spark-atlas-agent: {} lineage message(s) not acknowledged by Kafka are kept in {}; the next "
          + "application on this machine sends them, or run: java -jar <agent jar> replay {}", left,
          spool.directory(), spool.directory());
    }
  }

  private void closeQuietly(Spool spool) {
    try {
      spool.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing spool {}: {}", redacted(spool.directory()), redacted(e));
    }
  }

  /** Exception messages can quote a URL, a JAAS option or a path that holds a secret: logged only redacted. */
  private String redacted(Object text) {
    return sender.redactor().redact(String.valueOf(text));
  }

  private void run() {
    long backoff = MIN_BACKOFF_MS;
    while (!closed) {
      try {
        if (sendAdopted() && sender.sendPending(spool, false)) {
          failing = false;
          backoff = MIN_BACKOFF_MS;
          waitForWork(1_000, true);
        } else {
          failing = true;
          backOff(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (Throwable t) {
        if (closed) {
          return;
        }
        failing = true;
        LOG.warn("spark-atlas-agent sender: {}; retrying in {} ms", redacted(t), backoff);
        try {
          backOff(backoff);
        } catch (InterruptedException e) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } finally {
        synchronized (signal) {
          signal.notifyAll();
        }
      }
    }
  }

  /** Sends the adopted spools, oldest first; a spool sent completely is deleted. */
  private boolean sendAdopted() throws IOException, InterruptedException {
    for (Spool other : adoptedSnapshot()) {
      long before = sender.sent();
      boolean done = sender.sendPending(other, true);
      replayed.addAndGet(sender.sent() - before);
      if (!done) {
        return false;
      }
      synchronized (adopted) {
        supersededOfDeliveredSpools += other.superseded();
        adopted.remove(other);
      }
      LOG.info("spark-atlas-agent delivered the spool {} of an earlier application", other.directory());
      other.close();
    }
    return true;
  }

  /** Sleeps until a new message is appended (or a flush asks), at most {@code millis}. */
  private void waitForWork(long millis, boolean idle) throws InterruptedException {
    synchronized (signal) {
      if (idle && (spool.lastAppended() > spool.acked() || flushRequested)) {
        flushRequested = false;
        return;
      }
      signal.wait(millis);
      flushRequested = false;
    }
  }

  /** Waits after a failed attempt; only a flush (the driver is about to exit) or close ends it early. */
  private void backOff(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (signal) {
      while (!closed && !flushRequested) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        signal.wait(left);
      }
      flushRequested = false;
    }
  }
}

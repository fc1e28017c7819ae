package io.github.sparkatlas.delivery;

import io.github.sparkatlas.message.EncodedMessage;
import java.time.Duration;
import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends notifications to the Atlas hook topic with the agent's relocated kafka-clients. */
public final class KafkaSink implements Sink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

  private final Producer<String, String> producer;
  private final String topic;
  private final String bootstrap;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Set<String> reportedProblems = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
  private final Object monitor = new Object();

  public KafkaSink(Properties producerProperties, String topic) {
    this.topic = topic;
    this.bootstrap = String.valueOf(producerProperties.get("bootstrap.servers"));
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // The JAAS login module is loaded through the context class loader: it must see our relocated classes.
    thread.setContextClassLoader(KafkaSink.class.getClassLoader());
    try {
      this.producer = new KafkaProducer<>(producerProperties);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public void send(String applicationId, EncodedMessage message) {
    for (String record : message.records()) {
      inFlight.incrementAndGet();
      try {
        producer.send(new ProducerRecord<>(topic, message.key(), record), (metadata, error) -> completed(error));
      } catch (RuntimeException e) {
        completed(e);
      }
    }
  }

  private void completed(Exception error) {
    if (error == null) {
      delivered.incrementAndGet();
    } else {
      failed.incrementAndGet();
      DeliveryProblem problem = DeliveryProblem.of(error, topic, bootstrap);
      // An interrupted send is the agent's own shutdown, not a delivery problem worth a line of its own.
      if (!isInterruption(error) && reportedProblems.add(problem.kind)) {
        LOG.error("spark-atlas-agent could not deliver lineage to Kafka: {}", problem.advice);
      }
    }
    synchronized (monitor) {
      inFlight.decrementAndGet();
      monitor.notifyAll();
    }
  }

  private static boolean isInterruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof InterruptException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean flush(long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    synchronized (monitor) {
      while (inFlight.get() > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        try {
          monitor.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public long delivered() {
    return delivered.get();
  }

  @Override
  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(2));
  }
}

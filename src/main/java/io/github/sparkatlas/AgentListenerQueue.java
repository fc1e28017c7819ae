package io.github.sparkatlas;

import io.github.sparkatlas.capture.SparkInternals;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListenerInterface;

/**
 * The agent's SparkListener runs on a listener queue of its own, with its own thread, rather than on Spark's shared
 * queue: Spark times every listener of a queue around every event, whatever the event, on that queue's thread, so
 * being on the shared queue cost its thread about 10 microseconds per event even for events the agent ignores; on
 * a queue of its own the agent's work and that timing never delay the listeners of the shared queue (Spark's
 * QueryExecutionListener bus and the user's own), and if the agent's queue overflows only its own events are
 * dropped.
 */
final class AgentListenerQueue {
  /** Spark names the queue's thread {@code spark-listener-group-atlasAgent} and its capacity setting after it. */
  static final String NAME = "atlasAgent";
  static final String THREAD = "spark-listener-group-" + NAME;
  static final String CAPACITY_KEY = "spark.scheduler.listenerbus.eventqueue." + NAME + ".capacity";

  private AgentListenerQueue() {
  }

  /**
   * Adds the listener to the agent's queue of the context's listener bus. On a Spark without named queues, or
   * when adding fails, says so once and returns false: the caller then keeps to Spark's shared queue.
   */
  static boolean add(SparkContext context, SparkListenerInterface listener, ErrorReporter errors) {
    try {
      SparkInternals.addToQueue(context, listener, NAME);
      return true;
    } catch (Throwable t) {
      sharedQueueOnly(errors, t);
      return false;
    }
  }

  /** The one line that says the agent runs on Spark's shared queue, and why. */
  static void sharedQueueOnly(ErrorReporter errors, Throwable why) {
    errors.warnOnce("listener-queue", "spark-atlas-agent listens on Spark's shared listener queue, not on a "
        + "queue of its own (" + NAME + "), so its work runs on the thread of Spark's other listeners: " + why);
  }
}

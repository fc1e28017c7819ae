package io.github.sparkatlas.capture;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListenerInterface;

/**
 * The few private[spark] members the listeners need, read by name so that a renamed member costs us a logged
 * warning, never a LinkageError on Spark's listener thread.
 */
public final class SparkInternals {
  private SparkInternals() {
  }

  /** The QueryExecution of a successful SparkListenerSQLExecutionEnd, or null (failed, or no plan attached). */
  public static Object successfulQueryExecution(Object executionEnd) {
    if (Reflect.option(Reflect.get(executionEnd, "executionFailure")) != null) {
      return null;
    }
    return Reflect.get(executionEnd, "qe");
  }

  public static long executionId(Object executionEnd) {
    return (Long) Reflect.get(executionEnd, "executionId");
  }

  /**
   * For a SparkListenerSQLExecutionStart of an execution nested in another (the insert a CTAS runs, Spark
   * 3.4+): the id of the outermost execution; else null.
   */
  public static Long rootExecutionIdOfNested(Object executionStart) {
    Object root = Reflect.option(Reflect.get(executionStart, "rootExecutionId"));
    Object id = Reflect.get(executionStart, "executionId");
    return root instanceof Long && !root.equals(id) ? (Long) root : null;
  }

  public static SparkContext sparkContextOf(Object queryExecution) {
    return (SparkContext) Reflect.get(Reflect.get(queryExecution, "sparkSession"), "sparkContext");
  }

  /** The running SparkContext, without creating one (SparkContext.getActive is private[spark]). */
  public static SparkContext activeContext() {
    try {
      Object companion = Class.forName("org.apache.spark.SparkContext$").getField("MODULE$").get(null);
      return (SparkContext) Reflect.option(Reflect.get(companion, "getActive"));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** Whether a listener of the given class is registered on the context's listener bus. */
  public static boolean hasListener(SparkContext context, Class<?> listenerClass) {
    Object bus = Reflect.get(context, "listenerBus");
    for (Object listener : Reflect.elements(Reflect.get(bus, "listeners"))) {
      if (listenerClass.isInstance(listener)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SparkContext whose constructor is creating, on this thread, the listeners of {@code spark.extraListeners}
   * with {@code conf}, before its listener bus has started; null when no context is being constructed or it is
   * constructed with another conf. Spark (3.3 to 4.x) creates those listeners after the bus is built and before it
   * starts, and knows the context only in {@code SparkContext.contextBeingConstructed}, a private field.
   *
   * @throws IllegalStateException when this Spark does not show the context under construction as expected, or its
   *                               bus has started already
   */
  public static SparkContext contextUnderConstruction(SparkConf conf) {
    Object constructing;
    try {
      Object companion = Class.forName("org.apache.spark.SparkContext$").getField("MODULE$").get(null);
      Field field = companion.getClass().getDeclaredField("contextBeingConstructed");
      field.setAccessible(true);
      constructing = Reflect.option(field.get(companion));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot read the SparkContext under construction (" + e + ")", e);
    }
    if (!(constructing instanceof SparkContext) || Reflect.get(constructing, "conf") != conf) {
      return null;
    }
    Object bus = Reflect.get(constructing, "listenerBus");
    if (bus == null || !Reflect.has(bus, "queuedEvents")) {
      throw new IllegalStateException("cannot tell whether the listener bus has started");
    }
    // The bus buffers events in queuedEvents until it starts, and then sets it to null.
    if (Reflect.get(bus, "queuedEvents") == null) {
      throw new IllegalStateException("the listener bus has started before spark.extraListeners were created");
    }
    return (SparkContext) constructing;
  }

  /**
   * Adds a listener to the named queue of the context's listener bus, which Spark creates on demand with a dispatch
   * thread of its own, {@code spark-listener-group-<queue>} ({@code LiveListenerBus.addToQueue}, private[spark],
   * the same from Spark 3.3 to 4.x).
   *
   * @throws IllegalStateException when this Spark has no such method or it fails
   */
  public static void addToQueue(SparkContext context, SparkListenerInterface listener, String queue) {
    Object bus = Reflect.get(context, "listenerBus");
    if (bus == null) {
      throw new IllegalStateException("the SparkContext has no listenerBus");
    }
    try {
      bus.getClass().getMethod("addToQueue", SparkListenerInterface.class, String.class)
          .invoke(bus, listener, queue);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("LiveListenerBus.addToQueue failed (" + e.getCause() + ")", e.getCause());
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("LiveListenerBus.addToQueue is not available (" + e + ")", e);
    }
  }

  /**
   * The events Spark's listener bus dropped from the named queue because it was full (the counter
   * {@code queue.<name>.numDroppedEvents} of its metrics); 0 when there is no such queue or counter.
   */
  public static long droppedEvents(SparkContext context, String queue) {
    Object registry = Reflect.get(Reflect.get(Reflect.get(context, "listenerBus"), "metrics"), "metricRegistry");
    Object counters = Reflect.get(registry, "getCounters");
    if (!(counters instanceof Map)) {
      return 0;
    }
    Object count = Reflect.get(((Map<?, ?>) counters).get("queue." + queue + ".numDroppedEvents"), "getCount");
    return count instanceof Long ? (Long) count : 0;
  }
}

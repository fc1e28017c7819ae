package io.github.sparkatlas.capture;

import org.apache.spark.SparkContext;

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
}

package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.PlanTextSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import scala.Function1;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Renders a plan's text without ever building more of it than is kept: Spark's streaming
 * {@code treeString(append, ...)} is stopped as soon as the limit or the time budget is reached, so a plan whose
 * text would be 50 MB costs no more than one whose text is at the limit. Spark builds each node's line whole before
 * handing it over, so a single node with a huge literal still costs the building of its own line.
 *
 * <p>Called on the agent's thread, not on Spark's listener thread: the analyzed plan is immutable, and Spark itself
 * renders plans on other threads than the one that ran them.
 */
final class PlanText implements PlanTextSource {
  /** Spark's default spark.sql.debug.maxToStringFields. */
  private static final int MAX_FIELDS = 25;

  private final Object plan;

  PlanText(Object plan) {
    this.plan = plan;
  }

  @Override
  public Rendering render(int maxChars, long deadlineNanos) {
    return render(plan, maxChars, deadlineNanos);
  }

  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean overBudget;

    Stop(boolean overBudget) {
      super(null, null, false, false);
      this.overBudget = overBudget;
    }
  }

  private static final class BoundedAppend extends AbstractFunction1<String, BoxedUnit> {
    private final StringBuilder text = new StringBuilder();
    private final int maxLength;
    private final long deadlineNanos;

    BoundedAppend(int maxLength, long deadlineNanos) {
      this.maxLength = maxLength;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public BoxedUnit apply(String piece) {
      if (piece.isEmpty()) {
        // Spark hands over a node's (usually empty) prefix after it has built the node's line and before the line
        // itself: stopping for time here would throw away a line that is already paid for.
        return BoxedUnit.UNIT;
      }
      int room = maxLength - text.length();
      if (piece.length() > room) {
        // Rendering ends with this piece, and Spark has already paid for building it (one huge literal can make
        // one node's line megabytes long): keeping the text up to the limit costs nothing more, however late.
        text.append(piece, 0, Math.max(0, room));
        throw new Stop(false);
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new Stop(true);
      }
      text.append(piece);
      return BoxedUnit.UNIT;
    }
  }

  static Rendering render(Object plan, int maxLength, long deadlineNanos) {
    Method streaming = streamingTreeString(plan.getClass());
    if (streaming == null) {
      String text = String.valueOf(Reflect.get(plan, "treeString"));
      if (System.nanoTime() - deadlineNanos > 0) {
        return Rendering.outOfTime();
      }
      return text.length() <= maxLength ? Rendering.whole(text) : Rendering.cutShort(text.substring(0, maxLength));
    }
    BoundedAppend append = new BoundedAppend(maxLength, deadlineNanos);
    try {
      streaming.invoke(plan, append, true, false, MAX_FIELDS, false);
    } catch (InvocationTargetException e) {
      if (!(e.getCause() instanceof Stop)) {
        throw new CaptureException("rendering the plan text failed", e.getCause());
      }
      return ((Stop) e.getCause()).overBudget ? Rendering.outOfTime()
          : Rendering.cutShort(append.text.toString());
    } catch (IllegalAccessException e) {
      throw new CaptureException("cannot render the plan text", e);
    }
    return Rendering.whole(append.text.toString());
  }

  /** {@code treeString(append: String => Unit, verbose, addSuffix, maxFields, printOperatorId)}, Spark 3.0+. */
  private static Method streamingTreeString(Class<?> type) {
    try {
      return type.getMethod("treeString", Function1.class, boolean.class, boolean.class, int.class, boolean.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}

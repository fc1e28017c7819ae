package io.github.sparkatlas.capture;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.List;

/**
 * The subquery plans of a plan node, looked for only where there are any. Spark computes a node's
 * {@code subqueries} anew on every call by walking all its expressions; its tree pattern bits (Spark 3.2+, computed
 * once per node and already there after analysis) say in one look whether the node or one below it has a subquery
 * expression at all, which most plans have nowhere.
 */
final class Subqueries {
  private static final String TREE_PATTERN = "org.apache.spark.sql.catalyst.trees.TreePattern$";
  /** {@code TreePattern.PLAN_EXPRESSION}, the pattern of every subquery expression; null before Spark 3.2. */
  private static final Object PLAN_EXPRESSION = planExpressionPattern();
  /** Per plan class, its {@code containsPattern(TreePattern)}, or null. */
  private static final ClassValue<Method> CONTAINS_PATTERN = new ClassValue<Method>() {
    @Override
    protected Method computeValue(Class<?> type) {
      for (Method method : type.getMethods()) {
        if (method.getName().equals("containsPattern") && method.getParameterCount() == 1) {
          return method;
        }
      }
      return null;
    }
  };

  private Subqueries() {
  }

  /** Finds a plan class's pattern check ahead of its first use. */
  static void lookUpOnly(Class<?> type) {
    if (PLAN_EXPRESSION != null) {
      CONTAINS_PATTERN.get(type);
    }
  }

  static List<Object> of(Object node) {
    if (!mayHaveAny(node)) {
      return Collections.emptyList();
    }
    return Reflect.elements(Reflect.get(node, "subqueries"));
  }

  private static boolean mayHaveAny(Object node) {
    Method containsPattern = PLAN_EXPRESSION == null ? null : CONTAINS_PATTERN.get(node.getClass());
    if (containsPattern == null) {
      return true;
    }
    try {
      return !Boolean.FALSE.equals(containsPattern.invoke(node, PLAN_EXPRESSION));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  private static Object planExpressionPattern() {
    try {
      Object patterns = Class.forName(TREE_PATTERN, true, Subqueries.class.getClassLoader()).getField("MODULE$")
          .get(null);
      return Reflect.get(patterns, "PLAN_EXPRESSION");
    } catch (Throwable t) {
      return null;
    }
  }
}

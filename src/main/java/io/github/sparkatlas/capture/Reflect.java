package io.github.sparkatlas.capture;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The small reflective accessor through which the capture reads Spark's plan classes. Spark's case-class
 * fields are public no-arg methods; reading them by name instead of linking against them lets one jar serve
 * Spark 3.3 to 4.0 and Scala 2.12 and 2.13, where the signatures differ (Seq, renamed fields, moved classes).
 */
final class Reflect {
  private Reflect() {
  }

  /** The value of a public no-arg method, or null when the object has no such method. */
  static Object get(Object target, String name) {
    if (target == null) {
      return null;
    }
    Method method = method(target.getClass(), name);
    if (method == null) {
      return null;
    }
    try {
      return method.invoke(target);
    } catch (InvocationTargetException e) {
      throw new CaptureException("reading " + target.getClass().getName() + "." + name + "() failed",
          e.getCause());
    } catch (IllegalAccessException e) {
      throw new CaptureException("cannot read " + target.getClass().getName() + "." + name + "()", e);
    }
  }

  /** The first of the names the object answers to: fields renamed between Spark versions. */
  static Object getAny(Object target, String... names) {
    for (String name : names) {
      if (has(target, name)) {
        return get(target, name);
      }
    }
    return null;
  }

  static boolean has(Object target, String name) {
    return target != null && method(target.getClass(), name) != null;
  }

  /**
   * The value of a declared field (private ones included) of the object's class or a superclass, or null when
   * there is none. For what a plan holds but shows through no method, and for lazy values read without computing
   * them (the field is null until then): never a way around a lock or a computation.
   */
  static Object field(Object target, String name) {
    if (target == null) {
      return null;
    }
    Object cached = FIELDS.get(target.getClass()).computeIfAbsent(name, n -> lookUpField(target.getClass(), n));
    if (cached == ABSENT) {
      return null;
    }
    try {
      return ((java.lang.reflect.Field) cached).get(target);
    } catch (IllegalAccessException e) {
      throw new CaptureException("cannot read field " + target.getClass().getName() + "." + name, e);
    }
  }

  private static final ClassValue<Map<String, Object>> FIELDS = new ClassValue<Map<String, Object>>() {
    @Override
    protected Map<String, Object> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  private static Object lookUpField(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        java.lang.reflect.Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (RuntimeException e) {
        // Refused by the module system (Spark's classes are never in a named module): treated as absent.
        return ABSENT;
      }
    }
    return ABSENT;
  }

  /** Marks a name the class has no public no-arg method for. */
  private static final Object ABSENT = new Object();
  /**
   * Looked-up methods per class and name. Class.getMethod copies the Method on every call and throws for an
   * absent name: that was most of a capture's CPU besides the plan text. Bounded by the plan classes Spark has,
   * and held by each class itself, so nothing here keeps a class loader alive.
   */
  private static final ClassValue<Map<String, Object>> METHODS = new ClassValue<Map<String, Object>>() {
    @Override
    protected Map<String, Object> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  /** Looks a method up without calling it, so that a later {@link #get} finds it (or its absence) cached. */
  static void lookUpOnly(Class<?> type, String name) {
    method(type, name);
  }

  private static Method method(Class<?> type, String name) {
    Map<String, Object> methods = METHODS.get(type);
    Object cached = methods.get(name);
    if (cached == null) {
      Method found = lookUp(type, name);
      cached = found == null ? ABSENT : found;
      methods.put(name, cached);
    }
    return cached == ABSENT ? null : (Method) cached;
  }

  private static Method lookUp(Class<?> type, String name) {
    Method method;
    try {
      method = type.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
    try {
      // Public methods of non-public classes (Scala's collection internals) need this to be invoked.
      method.setAccessible(true);
    } catch (RuntimeException e) {
      // Refused by the module system: the method is then public on a public type and works as it is.
    }
    return method;
  }

  /*
   * scala.Option and scala.collection.Iterable / Iterator are read directly rather than by name: the capture reads
   * several of them per plan node, and their methods (isDefined, get, iterator, hasNext, next) have the same binary
   * form in Scala 2.12 and 2.13, as Function1, which PlanText implements, has.
   */

  /** A scala.Option's value, or null for None (or the value itself when it is not an Option). */
  static Object option(Object option) {
    if (option instanceof scala.Option) {
      scala.Option<?> value = (scala.Option<?>) option;
      return value.isDefined() ? value.get() : null;
    }
    return option;
  }

  /** Elements of any Scala or Java collection, through its iterator, whatever the Scala version. */
  static List<Object> elements(Object collection) {
    if (collection == null) {
      return Collections.emptyList();
    }
    List<Object> out = new ArrayList<>();
    if (collection instanceof scala.collection.Iterable) {
      scala.collection.Iterator<?> iterator = ((scala.collection.Iterable<?>) collection).iterator();
      while (iterator.hasNext()) {
        out.add(iterator.next());
      }
      return out;
    }
    if (collection instanceof Iterable) {
      for (Object element : (Iterable<?>) collection) {
        out.add(element);
      }
      return out;
    }
    if (collection instanceof Object[]) {
      Collections.addAll(out, (Object[]) collection);
      return out;
    }
    Object iterator = get(collection, "iterator");
    if (iterator == null) {
      return out;
    }
    while (Boolean.TRUE.equals(get(iterator, "hasNext"))) {
      out.add(get(iterator, "next"));
    }
    return out;
  }

  /**
   * A map of strings, Scala's ({@code Map[String, String]}, a case-insensitive map of options) or Java's
   * ({@code CaseInsensitiveStringMap} keeps the keys as given), as a Java map in its iteration order.
   */
  static Map<String, String> stringMap(Object map) {
    Map<String, String> out = new LinkedHashMap<>();
    if (map instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) map).entrySet()) {
        out.put(String.valueOf(entry.getKey()), String.valueOf(entry.getValue()));
      }
      return out;
    }
    for (Object entry : elements(map)) {
      if (entry instanceof scala.Tuple2) {
        scala.Tuple2<?, ?> pair = (scala.Tuple2<?, ?>) entry;
        out.put(String.valueOf(pair._1()), String.valueOf(pair._2()));
      }
    }
    return out;
  }

  static String string(Object value) {
    Object unwrapped = option(value);
    return unwrapped == null ? null : unwrapped.toString();
  }

  static String simpleName(Object node) {
    return node == null ? "null" : node.getClass().getSimpleName();
  }
}

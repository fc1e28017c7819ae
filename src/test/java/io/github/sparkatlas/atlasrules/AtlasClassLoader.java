package io.github.sparkatlas.atlasrules;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.sparkatlas.e2e.harness.RuntimeClasspath;

/**
 * Apache Atlas's own classes (atlas-intg and atlas-notification, version {@code atlas.version} of the pom) with the
 * dependencies Atlas runs them with, in a class loader of their own: merged into the test classpath they would clash
 * with the in-JVM Spark 3.5 (a second Hadoop, Jackson 2.12 and a Scala module of 2.10, three SLF4J providers, Kafka
 * 2.8 next to kafka-clients 3.9). The classpath is resolved once by Maven from {@code src/test/runtimes/atlas} and
 * cached under {@code target/runtimes}; the loader is made once per JVM.
 *
 * <p>The loader sees, before Atlas's jars, {@code atlasrules/isolated/} (Atlas's logback and application properties)
 * and our test classes, of which only {@code atlasrules.inatlas} is used there. Its parent is the platform loader, so
 * nothing of the test classpath leaks in; calls go through {@link #newInstance} and {@link #call} with JDK types only.
 */
final class AtlasClassLoader {

    private static final String INSIDE_PACKAGE = "io.github.sparkatlas.atlasrules.inatlas.";
    private static ClassLoader loader;

    private AtlasClassLoader() {
    }

    static synchronized ClassLoader get() {
        if (loader == null) {
            loader = create();
        }
        return loader;
    }

    private static ClassLoader create() {
        String atlasVersion = System.getProperty("atlas.version");
        String classpath = RuntimeClasspath.resolve("atlas",
                atlasVersion == null ? Map.of() : Map.of("atlas.version", atlasVersion));
        try {
            Path testClasses = Path.of(
                    AtlasClassLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path isolated = testClasses.resolve("atlasrules/isolated");
            if (!Files.isDirectory(isolated)) {
                throw new IllegalStateException("no " + isolated + ": test resources not on the classpath as a folder");
            }
            List<URL> urls = new ArrayList<>();
            urls.add(isolated.toUri().toURL());
            urls.add(testClasses.toUri().toURL());
            for (String entry : classpath.split(java.io.File.pathSeparator)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
            return new URLClassLoader("atlas", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new instance of {@code atlasrules.inatlas.<simpleName>}, made inside the loader. */
    static Object newInstance(String simpleName, Object... args) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(get());
        try {
            Class<?> type = Class.forName(INSIDE_PACKAGE + simpleName, true, get());
            for (var constructor : type.getConstructors()) {
                if (constructor.getParameterCount() == args.length) {
                    return constructor.newInstance(args);
                }
            }
            throw new IllegalArgumentException(simpleName + " has no public constructor with " + args.length + " args");
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Calls a public method of an inside object ({@code target}) or class ({@code String} simple name, static). */
    static Object call(Object target, String method, Object... args) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(get());
        try {
            Class<?> type = target instanceof String ? Class.forName(INSIDE_PACKAGE + target, true, get())
                    : target.getClass();
            for (Method m : type.getMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                    return m.invoke(target instanceof String ? null : target, args);
                }
            }
            throw new IllegalArgumentException(type.getName() + " has no public method " + method + " with "
                    + args.length + " args");
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }
}

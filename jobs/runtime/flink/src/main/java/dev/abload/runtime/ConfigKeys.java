package dev.abload.runtime;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

/**
 * Lists every configuration key one Flink line knows: the key of each {@code ConfigOption}
 * constant in the jars of a Flink lib directory, and each option's fallback keys (deprecated
 * ones name the key that replaces them). Run at bundle build (make runtime); the Go harness
 * checks every key it writes against the list before anything starts.
 *
 * <p>Usage: {@code ConfigKeys <flink lib dir> <output file> [<defaults file>]}. Output: one line per key,
 * sorted: {@code key}, or {@code key<TAB>deprecated<TAB>replacement} for a deprecated
 * fallback key, or {@code key<TAB>fallback<TAB>option} for a fallback that is not deprecated, or
 * {@code key<TAB>suffix<TAB>prefix} for an option read only under a prefix (a metric reporter's,
 * {@code metrics.reporter.<name>}: Flink's {@code @Documentation.SuffixOption}).
 *
 * <p>The defaults file has one line per option key that has a default and is not deprecated
 * ({@code @Deprecated}): {@code key<TAB>value},
 * the value as Flink writes it in a configuration ({@code Configuration#toMap}), tabs and line
 * breaks escaped. abload compares two lines' defaults with it (what an upgrade changes without a
 * word).
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: ConfigKeys <flink lib dir> <output file> [<defaults file>]");
            System.exit(2);
        }
        File[] jars = new File(args[0]).listFiles((d, n) -> n.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            System.err.println("ConfigKeys: no jars in " + args[0]);
            System.exit(1);
        }
        List<URL> urls = new ArrayList<>();
        for (File j : jars) {
            urls.add(j.toURI().toURL());
        }
        // Options are read through this class's own ConfigOption type: the lib's flink-core is
        // the parent loader's (the same jars are on the classpath that runs this).
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ConfigKeys.class.getClassLoader());
        Map<String, String> keys = new TreeMap<>();
        Map<String, String> defaults = new TreeMap<>();
        int classes = 0;
        for (File j : jars) {
            classes += scan(j, loader, keys, defaults);
        }
        if (keys.size() < 100) {
            System.err.println("ConfigKeys: only " + keys.size() + " keys found in " + args[0] + ": not a Flink lib directory?");
            System.exit(1);
        }
        try (PrintStream out = new PrintStream(args[1], StandardCharsets.UTF_8)) {
            out.println("# Flink configuration keys known to this bundle (ConfigKeys, make runtime).");
            for (Map.Entry<String, String> e : keys.entrySet()) {
                out.println(e.getValue().isEmpty() ? e.getKey() : e.getKey() + "\t" + e.getValue());
            }
        }
        if (args.length == 3) {
            try (PrintStream out = new PrintStream(args[2], StandardCharsets.UTF_8)) {
                out.println("# Flink configuration defaults of this bundle (ConfigKeys, make runtime).");
                for (Map.Entry<String, String> e : defaults.entrySet()) {
                    out.println(e.getKey() + "\t" + e.getValue());
                }
            }
        }
        System.err.println("ConfigKeys: " + keys.size() + " keys (" + defaults.size() + " with a default) from " + classes + " option classes");
        // A class initialized while scanning may have started a thread that would keep the JVM up.
        System.exit(0);
    }

    /** Adds the keys of every class of jar that declares a static ConfigOption field. */
    private static int scan(File jar, ClassLoader loader, Map<String, String> keys, Map<String, String> defaults) throws IOException {
        int found = 0;
        try (JarFile jf = new JarFile(jar)) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.startsWith("org/apache/flink/") || !name.endsWith(".class") || name.contains("/shaded/")) {
                    continue;
                }
                String cls = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                Class<?> c;
                Field[] fields;
                try {
                    c = Class.forName(cls, false, loader);
                    fields = c.getDeclaredFields();
                } catch (Throwable t) {
                    continue; // a class whose dependencies are not in lib: it declares no option we set
                }
                boolean any = false;
                for (Field f : fields) {
                    if (!Modifier.isStatic(f.getModifiers()) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                        continue;
                    }
                    ConfigOption<?> o;
                    try {
                        f.setAccessible(true);
                        o = (ConfigOption<?>) f.get(null);
                    } catch (Throwable t) {
                        continue;
                    }
                    if (o == null) {
                        continue;
                    }
                    any = true;
                    Documentation.SuffixOption suffix = f.getAnnotation(Documentation.SuffixOption.class);
                    if (suffix != null) {
                        // Read as <prefix>.<key> only: not a key of its own.
                        keys.putIfAbsent(o.key(), "suffix\t" + suffix.value());
                        continue;
                    }
                    keys.put(o.key(), "");
                    // A deprecated option's default is not what a configuration without it runs
                    // with when a newer option replaced it: left out of the defaults.
                    String d = f.isAnnotationPresent(Deprecated.class) ? null : defaultText(o);
                    if (d != null) {
                        defaults.put(o.key(), d);
                    }
                    for (FallbackKey fk : o.fallbackKeys()) {
                        String was = keys.get(fk.getKey());
                        // An option's own key stays one; a key some option reads as deprecated
                        // stays deprecated, whichever class is scanned first.
                        if (was == null || was.startsWith("suffix") || (was.startsWith("fallback") && fk.isDeprecated())) {
                            keys.put(fk.getKey(), (fk.isDeprecated() ? "deprecated\t" : "fallback\t") + o.key());
                        }
                    }
                }
                if (any) {
                    found++;
                }
            }
        }
        return found;
    }

    /** The option's default as Flink writes it in a configuration, escaped; null: none. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String defaultText(ConfigOption<?> o) {
        if (!o.hasDefaultValue()) {
            return null;
        }
        try {
            Configuration c = new Configuration();
            c.set((ConfigOption) o, o.defaultValue());
            String v = c.toMap().get(o.key());
            if (v == null) {
                return null;
            }
            return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
        } catch (Throwable t) {
            return null; // a default that does not convert to text: not compared
        }
    }
}

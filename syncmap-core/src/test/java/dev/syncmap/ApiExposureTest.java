package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.internal.FunctionGuard;
import dev.syncmap.internal.HashOrderedTable;
import dev.syncmap.internal.KeyValueEntry;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No type the module exports extends, implements, returns, accepts, throws or holds a type of a package it does
 * not export ({@code dev.syncmap.internal}), nor a type of its own that is not public: a user can name every type
 * in every signature they can see.
 *
 * <p>Checked by reflection over the public types of the packages {@code module-info} exports (read from the built
 * descriptor, so a newly exported package is covered): superclass and interfaces, and every public or protected
 * constructor, method and field, including those inherited from package-private base classes, down to type
 * arguments, wildcard and type-variable bounds and array components. {@link #theCheckCatchesALeakingType()} runs
 * it on a deliberately leaking control to show that it reports each kind of leak.
 */
class ApiExposureTest {

    @Test
    void noExportedTypeExposesAnUnexportedOne() throws IOException {
        Set<String> exported = BuiltModule.unqualifiedExports();
        List<Class<?>> api = exportedTypes(exported);
        assertTrue(api.size() > 20, "found the exported types: " + api);
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : api) {
            leaks.addAll(leaks(type, exported));
        }
        assertEquals(List.of(), leaks);
    }

    @Test
    void theCheckCatchesALeakingType() {
        List<String> leaks = leaks(LeakingControl.class, Set.of("dev.syncmap", "dev.syncmap.copy"));
        String all = String.join("\n", leaks);
        assertTrue(all.contains("superclass") && all.contains("KeyValueEntry"), all);
        assertTrue(all.contains("table()") && all.contains("HashOrderedTable"), all);
        assertTrue(all.contains("guards(List)") && all.contains("FunctionGuard"), all);
        assertTrue(all.contains("field hidden") && all.contains("Hidden"), all);
        assertEquals(4, leaks.size(), all);
    }

    /**
     * Javadoc of the exported packages, the README and {@code docs/} never name a type of the internal package
     * (implementation comments, {@code /* ... *}{@code /}, may). Run from the module's directory, as Maven does.
     */
    @Test
    void docsNeverSendUsersToInternalTypes() throws IOException {
        Path sources = Path.of("src/main/java");
        Set<String> internal = new TreeSet<>();
        try (Stream<Path> files = Files.list(sources.resolve("dev/syncmap/internal"))) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".java") && !f.startsWith("package-"))
                .forEach(f -> internal.add(f.substring(0, f.length() - ".java".length())));
        }
        assertTrue(internal.contains("FunctionGuard"), internal.toString());
        Pattern mention = Pattern.compile("dev\\.syncmap\\.internal|\\b(" + String.join("|", internal) + ")\\b");
        List<Path> docs = new ArrayList<>(List.of(sources.resolve("module-info.java"), Path.of("../README.md")));
        for (String pkg : BuiltModule.unqualifiedExports()) {
            try (Stream<Path> files = Files.list(sources.resolve(pkg.replace('.', '/')))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(docs::add);
            }
        }
        try (Stream<Path> files = Files.list(Path.of("../docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        List<String> found = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            if (doc.toString().endsWith(".java")) {
                text = javadocOf(text);
            }
            Matcher m = mention.matcher(text);
            while (m.find()) {
                found.add(doc + ": " + m.group());
            }
        }
        // module-info's Javadoc names the package itself, to say it is not exported
        found.removeIf(f -> f.startsWith(sources.resolve("module-info.java") + ": dev.syncmap.internal"));
        assertEquals(List.of(), found);
    }

    /**
     * The text of a source file's published Javadoc: the {@code /** ... *}{@code /} comments in front of a public
     * or protected declaration, a package or a module (after any annotations).
     */
    private static String javadocOf(String source) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("(/\\*\\*(?:(?!\\*/).)*\\*/)\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*"
            + "(?:public|protected|package|module)\\b", Pattern.DOTALL).matcher(source);
        while (m.find()) {
            out.append(m.group(1)).append('\n');
        }
        return out.toString();
    }

    /** Deliberately leaking control: every member but {@code setValue} exposes a type users cannot name. */
    public static final class LeakingControl extends KeyValueEntry<String, String> {
        /** A package-private type in a public field. */
        public Hidden hidden;

        /** Builds the control. */
        public LeakingControl() {
            super("k", "v");
        }

        /** @return an internal type */
        public HashOrderedTable<String, String> table() {
            return null;
        }

        /** @return a list whose type argument's bound is internal */
        public List<? extends FunctionGuard> guards(List<String> unused) {
            return List.of();
        }

        @Override
        public String setValue(String value) {
            return value;
        }
    }

    /** Not public. */
    static final class Hidden {}

    /* ---------------- The check ---------------- */

    /** The public types (top-level or nested in public types) of the exported packages. */
    private static List<Class<?>> exportedTypes(Set<String> packages) throws IOException {
        List<Class<?>> out = new ArrayList<>();
        for (String pkg : packages) {
            Path dir = BuiltModule.location().resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String file = f.getFileName().toString();
                    if (!file.endsWith(".class") || file.equals("package-info.class")) {
                        continue;
                    }
                    Class<?> c = load(pkg + "." + file.substring(0, file.length() - ".class".length()));
                    if (isAccessible(c)) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ApiExposureTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Public, and every enclosing class public; never anonymous, local or synthetic. */
    private static boolean isAccessible(Class<?> c) {
        if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** What {@code type} exposes that a user outside the module could not name. */
    static List<String> leaks(Class<?> type, Set<String> exported) {
        List<String> out = new ArrayList<>();
        Checker check = new Checker(exported, out);
        String name = type.getName();
        Class<?> sup = type.getSuperclass();
        if (sup != null && !exported.contains(sup.getPackageName()) && !isJdk(sup)) {
            // a package-private base class in an exported package is fine (users never see it); one elsewhere is not
            out.add(name + " superclass " + sup.getName());
        } else if (sup != null) {
            for (Type arg : typeArguments(type.getGenericSuperclass())) {
                check.type(arg, name + " superclass type argument");
            }
        }
        for (Type i : type.getGenericInterfaces()) {
            check.type(i, name + " interface");
        }
        for (TypeVariable<?> v : type.getTypeParameters()) {
            check.bounds(v, name + " type parameter " + v);
        }
        Set<Member> members = new HashSet<>(List.of(type.getMethods()));
        members.addAll(List.of(type.getFields()));
        members.addAll(List.of(type.getConstructors()));
        for (Class<?> k = type; k != null && !isJdk(k); k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (Modifier.isProtected(m.getModifiers())) {
                    members.add(m);
                }
            }
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isProtected(f.getModifiers())) {
                    members.add(f);
                }
            }
            for (Constructor<?> c : k.getDeclaredConstructors()) {
                if (k == type && Modifier.isProtected(c.getModifiers())) {
                    members.add(c);
                }
            }
        }
        for (Member m : members) {
            if (m.isSynthetic() || isJdk(m.getDeclaringClass())) {
                continue;
            }
            if (m instanceof Field f) {
                check.type(f.getGenericType(), name + " field " + f.getName());
            } else {
                Executable e = (Executable) m;
                String where = name + "." + e.getName() + Stream.of(e.getParameterTypes())
                    .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
                if (e instanceof Method method) {
                    check.type(method.getGenericReturnType(), where + " return type");
                }
                for (Type p : e.getGenericParameterTypes()) {
                    check.type(p, where + " parameter");
                }
                for (Type x : e.getGenericExceptionTypes()) {
                    check.type(x, where + " throws");
                }
                for (TypeVariable<?> v : e.getTypeParameters()) {
                    check.bounds(v, where + " type parameter " + v);
                }
            }
        }
        return new ArrayList<>(new TreeSet<>(out));
    }

    private static boolean isJdk(Class<?> c) {
        return c.getModule().isNamed() && c.getModule().getName().startsWith("java.");
    }

    private static Type[] typeArguments(Type t) {
        return t instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
    }

    /** Walks a generic type down to its classes; reports each class a user outside the module could not name. */
    private record Checker(Set<String> exported, List<String> out) {

        void type(Type t, String where) {
            walk(t, where, new HashSet<>());
        }

        void bounds(TypeVariable<?> v, String where) {
            Set<TypeVariable<?>> seen = new HashSet<>();
            seen.add(v);
            for (Type b : v.getBounds()) {
                walk(b, where, seen);
            }
        }

        private void walk(Type t, String where, Set<TypeVariable<?>> seen) {
            if (t instanceof Class<?> c) {
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                if (c.isPrimitive() || isJdk(c)) {
                    return;
                }
                if (!exported.contains(c.getPackageName()) || !isAccessible(c)) {
                    out.add(where + ": " + c.getName());
                }
            } else if (t instanceof ParameterizedType p) {
                walk(p.getRawType(), where, seen);
                if (p.getOwnerType() != null) {
                    walk(p.getOwnerType(), where, seen);
                }
                for (Type a : p.getActualTypeArguments()) {
                    walk(a, where, seen);
                }
            } else if (t instanceof WildcardType w) {
                for (Type b : w.getUpperBounds()) {
                    walk(b, where, seen);
                }
                for (Type b : w.getLowerBounds()) {
                    walk(b, where, seen);
                }
            } else if (t instanceof TypeVariable<?> v) {
                if (seen.add(v)) {
                    for (Type b : v.getBounds()) {
                        walk(b, where, seen);
                    }
                }
            } else if (t instanceof GenericArrayType a) {
                walk(a.getGenericComponentType(), where, seen);
            }
        }
    }
}

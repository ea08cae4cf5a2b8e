package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer on the module path sees the API packages and cannot compile against {@code dev.syncmap.internal}.
 *
 * <p>Each test compiles a small consumer module ({@code requires dev.syncmap;}) with the system Java compiler
 * against the built module ({@link BuiltModule#location()}, which holds {@code module-info.class}): the same check
 * a user's build makes. On the class path nothing is enforced (there is no module there), which is why the
 * descriptor is also checked directly.
 */
class ModuleBoundaryTest {

    @TempDir
    Path dir;

    @Test
    void theModuleExportsTheApiPackagesOnly() throws IOException {
        assertEquals("dev.syncmap", BuiltModule.descriptor().name());
        assertEquals(Set.of("dev.syncmap", "dev.syncmap.copy"), BuiltModule.unqualifiedExports());
        assertEquals(Set.of("dev.syncmap.internal -> [dev.syncmap.testkit]"), BuiltModule.descriptor().exports().stream()
            .filter(ModuleDescriptor.Exports::isQualified)
            .map(e -> e.source() + " -> " + new java.util.TreeSet<>(e.targets()))
            .collect(Collectors.toSet()), "internal is exported to the verification kit only (its fault hook)");
        assertEquals(Set.of("java.base"), BuiltModule.descriptor().requires().stream()
            .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()), "core depends on the JDK only");
        assertTrue(Files.isDirectory(BuiltModule.location().resolve("dev/syncmap/internal")), "the package exists");
    }

    @Test
    void aConsumerCompilesAgainstTheApi() throws IOException {
        List<String> errors = compileConsumer("""
            import dev.syncmap.Snapshot;
            import dev.syncmap.VersionedMap;
            import dev.syncmap.copy.MapCopy;

            public class Main {
                public static void main(String[] args) {
                    VersionedMap<String, Integer> map = new VersionedMap<>();
                    map.put("a", 1);
                    Snapshot<String, Integer> copy = MapCopy.of(map).toSnapshot();
                    System.out.println(copy);
                }
            }
            """);
        assertEquals(List.of(), errors);
    }

    @Test
    void aConsumerCannotImportTheInternalPackage() throws IOException {
        List<String> errors = compileConsumer("""
            import dev.syncmap.internal.FunctionGuard;

            public class Main {
                public static void main(String[] args) {
                    System.out.println(FunctionGuard.class);
                }
            }
            """);
        assertFalse(errors.isEmpty(), "importing dev.syncmap.internal must not compile");
        assertTrue(errors.stream().anyMatch(e -> e.contains("dev.syncmap.internal") && e.contains("does not export")),
            errors.toString());
    }

    /**
     * Compiles module {@code consumer} ({@code requires dev.syncmap;}) whose package {@code app} holds one class
     * {@code Main} with {@code body} (imports and class), against the built module on the module path.
     *
     * @return the compiler's error messages, empty when it compiled
     */
    private List<String> compileConsumer(String body) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK, not a JRE");
        Path src = Files.createDirectories(dir.resolve("src/app"));
        Path info = Files.writeString(dir.resolve("src/module-info.java"),
            "module consumer {\n    requires dev.syncmap;\n}\n");
        Path main = Files.writeString(src.resolve("Main.java"), "package app;\n\n" + body);
        Path out = Files.createDirectories(dir.resolve("out"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("--module-path", BuiltModule.location().toString(), "-d", out.toString(),
                "-Xlint:all", "-Werror");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                files.getJavaFileObjects(info, main)).call();
            List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING)
                .map(d -> d.getMessage(Locale.ROOT))
                .collect(Collectors.toList());
            assertEquals(ok, errors.isEmpty(), "compiler result and diagnostics disagree: " + errors);
            return errors;
        }
    }
}

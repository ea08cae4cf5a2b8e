package dev.syncmap;

import dev.syncmap.internal.FaultHooks;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CopyOnWriteMapExceptionSafetyTest extends AbstractExceptionSafetyTest {

    CopyOnWriteMapExceptionSafetyTest() {
        super(CopyOnWriteMap::new, PartialPutAll.NOTHING); // one publish, after the whole copy is built
    }

    @ParameterizedTest
    @ValueSource(strings = {"put", "remove", "compute", "merge", "putAll", "replaceAll", "reload"})
    void copyOnWriteBuildThatRunsOutOfMemoryPublishesNothing(String name) {
        ExceptionSafety.MapCall call = switch (name) {
            case "put" -> m -> m.put("new", 1);
            case "remove" -> m -> m.remove("key1");
            case "compute" -> m -> m.compute("key1", (k, v) -> 7);
            case "merge" -> m -> m.merge("new", 1, (a, b) -> 2);
            case "putAll" -> m -> {
                m.putAll(Map.of("a", 1, "b", 2));
                return null;
            };
            case "replaceAll" -> m -> {
                m.replaceAll((k, v) -> 0);
                return null;
            };
            default -> m -> {
                ((CopyOnWriteMap<Object, Object>) m).reload(Map.of("x", 1));
                return null;
            };
        };
        assertInjectedErrorChangesNothing(FaultHooks.Site.COPY_BUILD, keys(5), call);
    }
}

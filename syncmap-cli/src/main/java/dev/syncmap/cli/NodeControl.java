package dev.syncmap.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The line commands a Kafka node reads on standard input with {@code syncmap replicate --control}: how
 * {@code syncmap demo replicate} and the multi-process tests drive node processes through pause-and-compare.
 *
 * <pre>
 * pause [topic]    stop the load, wait until this node's writes are acknowledged
 *                  -> PAUSED topic written=N own=T   (T: this incarnation's counter total)
 * resume [topic]   start the load again -> RESUMED topic
 * digest [topic]   wait until caught up, describe the view
 *                  -> DIGEST topic keys=N total=T sha256=H   (T: the counters' sum; H: the sorted entries)
 * stop             stop the node cleanly (so does the end of the input)
 * </pre>
 *
 * Without a topic a command applies to every map of the process, one reply line each. A command that fails
 * answers {@code ERROR <command>: <message>}; the node goes on.
 */
final class NodeControl {

    private NodeControl() {}

    /**
     * Starts a daemon thread that reads commands until {@code stop} or the end of the input.
     *
     * @param nodes the process's maps
     * @param load the load {@code resume} starts, or null
     * @param in the commands
     * @param reply receives each reply line
     * @param onStop runs once when {@code stop} is read or the input ends
     * @return the thread
     */
    static Thread serve(List<KafkaNode<?>> nodes, NodeConfig.Load load, BufferedReader in, Consumer<String> reply,
                        Runnable onStop) {
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] words = line.trim().split("\\s+");
                    if (words[0].equals("stop")) {
                        break;
                    }
                    if (!words[0].isEmpty()) {
                        run(nodes, load, words, reply);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading node commands", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                onStop.run();
            }
        }, "syncmap-node-control");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void run(List<KafkaNode<?>> nodes, NodeConfig.Load load, String[] words, Consumer<String> reply)
        throws InterruptedException {
        String topic = words.length > 1 ? words[1] : null;
        for (KafkaNode<?> n : nodes) {
            if (topic != null && !topic.equals(n.topic())) {
                continue;
            }
            try {
                switch (words[0]) {
                    case "pause":
                        reply.accept(n.pause());
                        break;
                    case "resume":
                        if (load != null) {
                            n.startLoad(load);
                        }
                        reply.accept("RESUMED " + n.topic());
                        break;
                    case "digest":
                        reply.accept(n.digest());
                        break;
                    default:
                        reply.accept("ERROR " + words[0] + ": unknown command (pause, resume, digest, stop)");
                        return;
                }
            } catch (RuntimeException e) {
                reply.accept("ERROR " + words[0] + ": " + SyncmapCommand.oneLine(String.valueOf(e.getMessage())));
            }
        }
    }
}

package io.mailroute.events;

import io.mailroute.db.AfterCommit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Tells the in-process subscriptions ({@link EventsConsumer}) of each event the moment its transaction commits, so
 * that they poll at once instead of at their next scheduled poll. Only a hint: the row is the event, and the poll
 * that follows reads it from the table as any poll would; a signal missed (another node wrote the event, or this
 * process crashed after the commit) only means the scheduled poll finds it.
 */
public final class OutboxSignal {

    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    /** Called by {@link EventLog#append} inside the appending transaction: tells the listeners after its commit. */
    void appended(Event event) {
        if (!listeners.isEmpty()) {
            AfterCommit.run(() -> committed(event));
        }
    }

    void committed(Event event) {
        for (Consumer<Event> listener : listeners) {
            listener.accept(event);
        }
    }

    /** @return what removes the listener again */
    Runnable listen(Consumer<Event> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}

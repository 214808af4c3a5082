package dev.knowgate.service.worker;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The service's supervised workers, for {@link WorkersLiveness}. */
@ApplicationScoped
public class Workers {

    private final List<Supervisor> supervisors = new CopyOnWriteArrayList<>();

    /** Starts {@code body} under supervision and registers it. */
    public Supervisor start(String name, Supervisor.Body body, Supervisor.Policy policy) {
        Supervisor s = new Supervisor(name, body, policy);
        supervisors.add(s);
        return s.start();
    }

    public List<Supervisor> all() {
        return List.copyOf(supervisors);
    }
}

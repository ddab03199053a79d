package io.mailroute.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The service JVM seen from inside, through its own management beans: heap in use and its peaks,
 * bytes its threads allocated, a GC on demand, and JFR started and dumped around one phase. Attached
 * with the JDK's attach API after start-up, so start-up time and idle memory are measured without it.
 */
final class JvmProbe implements AutoCloseable {

    private static final ObjectName DIAGNOSTIC_COMMAND = name("com.sun.management:type=DiagnosticCommand");

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final MemoryMXBean memory;
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final com.sun.management.ThreadMXBean threads;

    private JvmProbe(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        this.threads = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.THREAD_MXBEAN_NAME,
                com.sun.management.ThreadMXBean.class);
        for (ObjectName pool : server.queryNames(name(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*"), null)) {
            MemoryPoolMXBean bean = ManagementFactory.newPlatformMXBeanProxy(server, pool.toString(), MemoryPoolMXBean.class);
            if (bean.getType() == MemoryType.HEAP) {
                heapPools.add(bean);
            }
        }
    }

    static JvmProbe attach(long pid) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(String.valueOf(pid));
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
        try {
            String address = vm.startLocalManagementAgent();
            return new JvmProbe(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        } finally {
            vm.detach();
        }
    }

    /** A full collection, so that "heap used" afterwards is close to what is live. */
    void gc() {
        memory.gc();
    }

    long heapUsed() {
        return memory.getHeapMemoryUsage().getUsed();
    }

    long heapCommitted() {
        return memory.getHeapMemoryUsage().getCommitted();
    }

    void resetPeaks() {
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /**
     * The sum of each heap pool's peak since {@link #resetPeaks}: an upper bound of the heap in use at
     * any one moment (the pools peak at different times), exact for what a single large object adds.
     */
    long peakHeapUsed() {
        return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    long peakHeapCommitted() {
        return heapPools.stream().mapToLong(p -> p.getPeakUsage().getCommitted()).sum();
    }

    /** Bytes allocated so far by the threads alive now (the service's threads are long-lived pools). */
    long allocatedBytes() {
        long total = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, allocated);
        }
        return total;
    }

    /** @param settings {@code default} (1 % overhead, CPU samples every 20 ms) or {@code profile} (more, incl. allocations) */
    void startRecording(String name, String settings) {
        diagnosticCommand("jfrStart", "name=" + name, "settings=" + settings);
    }

    void dumpAndStopRecording(String name, Path file) {
        diagnosticCommand("jfrDump", "name=" + name, "filename=" + file.toAbsolutePath());
        diagnosticCommand("jfrStop", "name=" + name);
    }

    private void diagnosticCommand(String operation, String... arguments) {
        try {
            server.invoke(DIAGNOSTIC_COMMAND, operation, new Object[] {arguments}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException(operation + " failed in the service JVM: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

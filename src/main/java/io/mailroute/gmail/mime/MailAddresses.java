package io.mailroute.gmail.mime;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Address-list headers to {@link MailAddress}es: Jakarta's lenient parser first, a plain scan for addresses if it gives up. */
final class MailAddresses {

    private static final Pattern BARE_ADDRESS = Pattern.compile("[^\\s<>()\\[\\],;:\"@]+@[^\\s<>()\\[\\],;:\"@]+");

    private MailAddresses() {
    }

    /** All mailboxes in the given header values, in order, groups flattened, duplicates (by address) dropped. */
    static List<MailAddress> parse(String[] headerValues) {
        Map<String, MailAddress> byAddress = new LinkedHashMap<>();
        if (headerValues != null) {
            for (String value : headerValues) {
                for (MailAddress a : parse(HeaderText.raw(value))) {
                    byAddress.putIfAbsent(a.address(), a);
                }
            }
        }
        return List.copyOf(byAddress.values());
    }

    static List<MailAddress> parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<MailAddress> result = new ArrayList<>();
        try {
            for (InternetAddress a : InternetAddress.parseHeader(raw, false)) {
                addMailboxes(a, result);
            }
        } catch (AddressException e) {
            result.clear();
            Matcher m = BARE_ADDRESS.matcher(raw);
            while (m.find()) {
                result.add(new MailAddress(normalise(m.group()), null));
            }
        }
        return result;
    }

    private static void addMailboxes(InternetAddress a, List<MailAddress> result) throws AddressException {
        if (a.isGroup()) {
            InternetAddress[] members = a.getGroup(false);
            if (members != null) {
                for (InternetAddress member : members) {
                    addMailboxes(member, result);
                }
            }
            return;
        }
        String address = normalise(a.getAddress());
        if (address == null || address.isEmpty()) {
            return;
        }
        String name = a.getPersonal();
        if (name != null && name.contains("=?")) {
            name = EncodedWords.decode(name); // Jakarta leaves words it could not decode (unknown charset)
        }
        name = HeaderText.clean(name);
        result.add(new MailAddress(address, name == null || name.isEmpty() ? null : name));
    }

    private static String normalise(String address) {
        if (address == null) {
            return null;
        }
        String s = HeaderText.clean(address);
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.strip().toLowerCase(Locale.ROOT);
    }
}

package io.mailroute.pages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pages' static files, read once from the jar ({@code src/main/resources/pages/assets/}) and served under
 * {@value #PREFIX} with the first hex digits of their SHA-256 in the name ({@code assets/mailroute.3f9a01c2d4.css}): a
 * browser may keep one for a year, and a new jar's changed file has a new name. No CDN, no JavaScript.
 */
public final class PageAssets {

    /** Where assets are served, from the service's root. */
    public static final String PREFIX = io.mailroute.access.ApiAccessPolicy.ASSETS_PREFIX;
    /** The files there, by their name in the jar. */
    static final List<String> FILES = List.of("mailroute.css");
    private static final int HASH_HEX_DIGITS = 10;
    private static final Map<String, String> TYPES = Map.of("css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "png", "image/png", "ico", "image/x-icon");

    /** One file: its served name (with the hash), content type and bytes. */
    public record Asset(String servedName, String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> byServedName = new LinkedHashMap<>();
    private final Map<String, String> servedNames = new LinkedHashMap<>();

    public PageAssets() {
        for (String file : FILES) {
            byte[] bytes = read(file);
            int dot = file.lastIndexOf('.');
            String extension = file.substring(dot + 1);
            String served = file.substring(0, dot) + "." + hash(bytes) + "." + extension;
            byServedName.put(served, new Asset(served, TYPES.getOrDefault(extension, "application/octet-stream"), bytes));
            servedNames.put(file, served);
        }
    }

    /**
     * The address of a file from the service's root, without a leading "/": {@code assets/mailroute.3f9a01c2d4.css}.
     *
     * @throws IllegalArgumentException for a file that is not one of the assets (a bug in a template's model)
     */
    public String path(String file) {
        String served = servedNames.get(file);
        if (served == null) {
            throw new IllegalArgumentException("no asset " + file + " in the jar; there are " + FILES);
        }
        return PREFIX.substring(1) + served;
    }

    /** The asset served under this name (the hashed one); empty for any other name. */
    public Optional<Asset> find(String servedName) {
        return Optional.ofNullable(servedName == null ? null : byServedName.get(servedName));
    }

    private static byte[] read(String file) {
        String resource = PageTemplates.ROOT + "/assets/" + file;
        try (InputStream in = PageAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + resource + ": rebuild it");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, HASH_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}

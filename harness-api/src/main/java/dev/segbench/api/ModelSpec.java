package dev.segbench.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model named by a spec rather than a catalogue id: {@code scheme:location[?key=value&...]}, e.g.
 * {@code onnx:deeplab.onnx?name=deeplab&mean=0.5,0.5,0.5}. The catalogue whose {@link ModelCatalog#specScheme()}
 * is the scheme opens it. Its model id is the {@code name} option, else the location's file name without extension.
 */
public record ModelSpec(String scheme, String location, Map<String, String> parameters) {

    public static final String NAME = "name";

    public ModelSpec {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /**
     * Parses {@code text} ({@link SpecText#parse}), or empty when it names no scheme and no options (a catalogue id
     * such as "arch0").
     */
    public static java.util.Optional<ModelSpec> parse(String text) throws ModelException {
        SpecText spec;
        try {
            spec = SpecText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
        if (spec.location().isEmpty() && spec.parameters().isEmpty()) {
            return java.util.Optional.empty();
        }
        if (spec.location().isEmpty()) {
            throw new ModelException(text + ": give scheme:location before the options");
        }
        return java.util.Optional.of(new ModelSpec(spec.scheme(), spec.location(), spec.parameters()));
    }

    /** The model id runs and results are keyed by. */
    public String id() {
        String name = parameters.get(NAME);
        if (name != null) {
            return name;
        }
        String file = Path.of(location).getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** A one-line error when an option is not among {@code known}, naming the spec and the options it takes. */
    public void requireKnownOptions(Set<String> known) throws ModelException {
        for (String key : parameters.keySet()) {
            if (!known.contains(key)) {
                throw new ModelException(this + ": unknown option '" + key + "' (" + scheme + " models take "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    @Override
    public String toString() {
        return new SpecText(scheme, location, parameters).toString();
    }
}

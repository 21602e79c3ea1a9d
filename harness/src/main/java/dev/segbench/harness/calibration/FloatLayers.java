package dev.segbench.harness.calibration;

import dev.segbench.api.ModelSource;
import dev.segbench.results.UserException;
import dev.segbench.results.settings.Int8Fallback;
import java.util.List;
import java.util.Set;

/** What {@link Int8Fallback} (a setting) means for one model: the layers it keeps in float, and the model keeping them. */
public final class FloatLayers {

    private FloatLayers() {
    }

    /**
     * What {@code --int8-fallback} resolved to for one model.
     *
     * @param floatLayers the convolutions kept in float, in graph order
     * @param record      how they were chosen (for results.json)
     */
    public record Choice(List<String> floatLayers, dev.segbench.results.Run.Fallback record) {
        public Choice {
            floatLayers = List.copyOf(floatLayers);
        }
    }


    /**
     * The listed layers of {@code model}, in its graph order, or a one-line error naming the option and the first
     * name that is not one of its quantized convolutions.
     */
    public static List<String> listed(Int8Fallback fallback, ModelSource model) {
        List<ModelSource.Layer> known = model.int8().map(ModelSource.Int8Graphs::quantizableLayers).orElse(List.of());
        List<String> unknown = FallbackSearch.unknown(known, fallback.layers());
        if (!unknown.isEmpty()) {
            throw new UserException("--int8-fallback: '" + unknown.getFirst() + "' is not a quantized convolution of "
                    + model.info().id() + (known.isEmpty() ? " (it keeps no layer in float)" : " (" + known.size()
                    + " are, e.g. " + String.join(", ", known.subList(0, Math.min(3, known.size())).stream()
                    .map(ModelSource.Layer::name).toList()) + ": Conv node names of its ONNX graph)"));
        }
        return FallbackSearch.inGraphOrder(known, Set.copyOf(fallback.layers()));
    }

    /** {@code model} whose int8 graphs keep {@code floatLayers} in float (itself when there are none). */
    public static ModelSource keepingInFloat(ModelSource model, List<String> floatLayers) {
        if (floatLayers == null || floatLayers.isEmpty()) {
            return model;
        }
        Set<String> kept = Set.copyOf(floatLayers);
        return model.withInt8(model.int8().map(g -> g.keepingInFloat(kept)));
    }
}

package dev.segbench.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.CalibrationFile;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an int8 graph with placement options the catalogue does not offer, for the int8 benchmark's comparisons
 * (e.g. symmetric int8 activations with an int32 bias, or 8-bit weights with uint8 activations). Arguments:
 * {@code MODEL CHECKPOINT TABLE.json ACTIVATIONS(int8|uint8) INT32BIAS(true|false) WEIGHTBITS OUT.onnx}.
 */
public final class Int8VariantExport {

    public static void main(String[] args) throws Exception {
        NasSegmModel model = (NasSegmModel) new NasSegmCatalog().find(args[0]).orElseThrow();
        NasSegmModelSource source = (NasSegmModelSource) NasSegmCatalog.load(model, WeightsSpec.checkpoint(Path.of(args[1])));
        CalibrationTable table = CalibrationFile.read(Path.of(args[2])).stream()
                .filter(t -> t.key().modelId().equals(args[0])).findFirst().orElseThrow();
        QdqGraphs.Options options = new QdqGraphs.Options(args[3].equals("int8") ? Int8Activations.SYMMETRIC_INT8
                : Int8Activations.ASYMMETRIC_UINT8, Boolean.parseBoolean(args[4]), Integer.parseInt(args[5]));
        ModelProto fp32 = ModelProto.parseFrom(source.artifact(Precision.FP32, false).onnx());
        Files.write(Path.of(args[6]), QdqGraphs.quantize(fp32, QdqGraphs.plan(fp32.getGraph()), table, options).toByteArray());
    }

    private Int8VariantExport() {
    }

}

/**
 * The NAS-segm model catalogue. Other modules use it only through the SPI:
 * {@code ServiceLoader.load(ModelCatalog.class)} finds {@link dev.segbench.models.NasSegmCatalog}
 * ("nas-segm"), and {@code catalog.load(id, weights).artifact(precision, labelsOut)} hands out the
 * ONNX graph. {@link dev.segbench.models.Genotype} is public for tools that print or check genotypes.
 */
package dev.segbench.models;

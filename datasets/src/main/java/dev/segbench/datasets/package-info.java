/**
 * Datasets for segbench: PASCAL VOC 2012 ({@link dev.segbench.datasets.VocDatasetProvider}, scheme
 * {@code voc}), generated scenes with exact labels ({@link dev.segbench.datasets.SyntheticDatasetProvider},
 * scheme {@code synthetic}), a verified, resumable VOC download ({@link dev.segbench.datasets.VocDownload})
 * with safe tar extraction ({@link dev.segbench.datasets.SafeTarExtractor}), and
 * {@link dev.segbench.datasets.OrderedPrefetcher}, which decodes any dataset in parallel and hands the
 * samples out in order with bounded memory. Other modules use the providers through
 * {@link dev.segbench.api.DatasetProvider} (ServiceLoader); only OrderedPrefetcher and VocDownload are
 * meant to be called directly.
 */
package dev.segbench.datasets;
